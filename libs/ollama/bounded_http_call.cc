#include "ollama/bounded_http_call.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "status/status_macros.h"

namespace churn::ollama {
namespace {

using std::chrono::milliseconds;

// The DNS cache shared by every call, so that a host name is not looked up (on libcurl's
// resolver thread) once per call. libcurl asks for one lock per kind of shared data.
struct SharedDns {
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;
};

void LockShared(CURL*, curl_lock_data data, curl_lock_access, void* shared) {
  static_cast<SharedDns*>(shared)->locks[data].lock();
}

void UnlockShared(CURL*, curl_lock_data data, void* shared) {
  static_cast<SharedDns*>(shared)->locks[data].unlock();
}

// libcurl's process-wide state, set up once before the first handle. Never torn down: calls
// may run until the process exits.
struct CurlGlobals {
  CURLcode init = CURLE_FAILED_INIT;
  SharedDns* dns = nullptr;
};

const CurlGlobals& Globals() {
  static std::once_flag once;
  static CurlGlobals globals;
  std::call_once(once, [] {
    globals.init = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (globals.init != CURLE_OK) return;
    auto dns = std::make_unique<SharedDns>();
    dns->share = curl_share_init();
    if (dns->share == nullptr) return;
    curl_share_setopt(dns->share, CURLSHOPT_LOCKFUNC, LockShared);
    curl_share_setopt(dns->share, CURLSHOPT_UNLOCKFUNC, UnlockShared);
    curl_share_setopt(dns->share, CURLSHOPT_USERDATA, dns.get());
    curl_share_setopt(dns->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    globals.dns = dns.release();
  });
  return globals;
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Multi = std::unique_ptr<CURLM, MultiDeleter>;
using Headers = std::unique_ptr<curl_slist, SlistDeleter>;
using Url = std::unique_ptr<CURLU, UrlDeleter>;

// An easy handle attached to a multi handle for as long as this lives.
class Attached {
 public:
  Attached(CURLM* multi, CURL* easy) : multi_(multi), easy_(easy) {
    added_ = curl_multi_add_handle(multi_, easy_) == CURLM_OK;
  }
  ~Attached() {
    if (added_) curl_multi_remove_handle(multi_, easy_);
  }
  Attached(const Attached&) = delete;
  Attached& operator=(const Attached&) = delete;

  bool ok() const { return added_; }

 private:
  CURLM* multi_;
  CURL* easy_;
  bool added_ = false;
};

// What libcurl's callbacks read and fill during one exchange.
struct Exchange {
  Clock::time_point deadline;
  std::stop_token stop;
  size_t max_reply_bytes = 0;
  std::string body;
  bool too_long = false;
};

size_t AppendReply(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  if (bytes > exchange->max_reply_bytes - exchange->body.size()) {
    exchange->too_long = true;
    return 0;  // anything but `bytes` fails the transfer with CURLE_WRITE_ERROR
  }
  exchange->body.append(data, bytes);
  return bytes;
}

// Called by libcurl at least once a second and whenever data moves: a second guard, should the
// poll loop miss a wake-up.
int CheckProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* exchange = static_cast<const Exchange*>(user);
  return exchange->stop.stop_requested() || Clock::now() >= exchange->deadline ? 1 : 0;
}

std::string NormalisedBaseUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

absl::Status BadBaseUrl(const std::string& url) {
  return absl::InvalidArgumentError(
      absl::StrCat("base url must be http(s)://host[:port], got '", url, "'"));
}

// True when `part` of `url` is present and, if `expected` is given, equal to it.
bool HasPart(CURLU* url, CURLUPart part, std::string_view expected = {}) {
  char* value = nullptr;
  bool has = curl_url_get(url, part, &value, 0) == CURLUE_OK;
  has = has && (expected.empty() || expected == value);
  curl_free(value);
  return has;
}

// `base_url` + `path`, parsed by libcurl; the base must be scheme://host[:port] alone.
absl::StatusOr<Url> RequestUrl(const std::string& base_url, const std::string& path) {
  Url url(curl_url());
  if (url == nullptr) return absl::InternalError("libcurl: out of memory");
  if (base_url.find("://") == std::string::npos ||
      curl_url_set(url.get(), CURLUPART_URL, base_url.c_str(), 0) != CURLUE_OK) {
    return BadBaseUrl(base_url);
  }
  const bool http =
      HasPart(url.get(), CURLUPART_SCHEME, "http") || HasPart(url.get(), CURLUPART_SCHEME, "https");
  if (!http || !HasPart(url.get(), CURLUPART_PATH, "/") || HasPart(url.get(), CURLUPART_QUERY) ||
      HasPart(url.get(), CURLUPART_FRAGMENT) || HasPart(url.get(), CURLUPART_USER)) {
    return BadBaseUrl(base_url);
  }
  if (curl_url_set(url.get(), CURLUPART_PATH, path.c_str(), 0) != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("bad request path '", path, "'"));
  }
  return url;
}

bool DeadlineReached(Clock::time_point deadline) {
  // libcurl's timers have millisecond resolution: a timeout fires a hair around the deadline.
  return Clock::now() + milliseconds(5) >= deadline;
}

absl::Status Cancelled(const std::string& url) {
  return absl::CancelledError(absl::StrCat("request to ", url, " cancelled"));
}

absl::Status DeadlinePassed(const std::string& url) {
  return absl::DeadlineExceededError(
      absl::StrCat("no complete reply from ", url, " within the deadline"));
}

absl::Status TransportError(CURLcode code, const char* detail, const std::string& url,
                            const Exchange& exchange) {
  if (exchange.stop.stop_requested()) return Cancelled(url);
  const std::string why = absl::StrCat(curl_easy_strerror(code), *detail ? ": " : "", detail);
  switch (code) {
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_WRITE_ERROR:
      if (code == CURLE_WRITE_ERROR && !exchange.too_long) break;
      return absl::OutOfRangeError(absl::StrCat("reply from ", url, " is longer than the limit of ",
                                                exchange.max_reply_bytes, " bytes"));
    case CURLE_ABORTED_BY_CALLBACK:  // CheckProgress saw the deadline (a stop is seen above)
      return DeadlinePassed(url);
    case CURLE_OPERATION_TIMEDOUT:
      if (DeadlineReached(exchange.deadline)) return DeadlinePassed(url);
      // Only the connect timeout, shorter than the deadline, ends a call earlier.
      return absl::UnavailableError(absl::StrCat("cannot connect to ", url, " (", why, ")"));
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
      return absl::UnavailableError(absl::StrCat("cannot connect to ", url, " (", why, ")"));
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return absl::UnavailableError(absl::StrCat("connection to ", url, " broke (", why, ")"));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(absl::StrCat("cannot call ", url, " (", why, ")"));
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
      return absl::InternalError(absl::StrCat("libcurl failed calling ", url, " (", why, ")"));
    default: break;
  }
  return absl::UnavailableError(absl::StrCat("request to ", url, " failed (", why, ")"));
}

// The time left until `deadline` in whole milliseconds, rounded up (so that a timeout set to it
// never fires before the deadline), at most INT_MAX (curl_multi_poll takes an int).
long CeilMillisUntil(Clock::time_point deadline) {
  const Clock::duration left =
      std::min<Clock::duration>(deadline - Clock::now(), milliseconds(INT_MAX - 1));
  return std::max<long>(0, std::chrono::ceil<milliseconds>(left).count());
}

}  // namespace

absl::StatusOr<HttpResponse> CallWithDeadline(const HttpEndpoint& endpoint,
                                              const HttpRequest& request,
                                              Clock::time_point deadline, std::stop_token stop) {
  const std::string base_url = NormalisedBaseUrl(endpoint.base_url);
  if (request.method != "GET" && request.method != "POST") {
    return absl::InvalidArgumentError(absl::StrCat("unsupported method ", request.method));
  }
  const CurlGlobals& globals = Globals();
  if (globals.init != CURLE_OK || globals.dns == nullptr) {
    return absl::InternalError(
        absl::StrCat("libcurl cannot initialise: ", curl_easy_strerror(globals.init)));
  }
  CHURN_ASSIGN_OR_RETURN(Url url, RequestUrl(base_url, request.path));
  const std::string target = base_url + request.path;  // for messages
  if (stop.stop_requested()) return Cancelled(target);
  if (Clock::now() >= deadline) {
    return absl::DeadlineExceededError(absl::StrCat("deadline passed before calling ", target));
  }

  Exchange exchange{deadline, stop, endpoint.max_reply_bytes, {}, false};
  Multi multi(curl_multi_init());
  Easy easy(curl_easy_init());
  if (easy == nullptr || multi == nullptr) return absl::InternalError("libcurl: out of memory");
  Headers headers;
  if (request.method == "POST") {
    headers.reset(curl_slist_append(nullptr, ("Content-Type: " + request.content_type).c_str()));
    // No "Expect: 100-continue" round trip before a large body.
    if (headers != nullptr) headers.reset(curl_slist_append(headers.release(), "Expect:"));
    if (headers == nullptr) return absl::InternalError("libcurl: out of memory");
  }
  char error_detail[CURL_ERROR_SIZE] = "";

  CURL* h = easy.get();
  curl_easy_setopt(h, CURLOPT_CURLU, url.get());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_detail);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(h, CURLOPT_SHARE, globals.dns->share);
  // The poll loop below keeps the deadline; libcurl's timeout is the second guard, a millisecond
  // later because its timer truncates to whole milliseconds and would fire a hair early.
  const long total_ms = CeilMillisUntil(deadline);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms + 1);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   std::max(1L, std::min<long>(endpoint.connect_timeout.count(), total_ms + 1)));
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, CheckProgress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &exchange);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, AppendReply);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &exchange);
  // Refuses at once a reply whose Content-Length is over the limit; AppendReply stops the rest.
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(endpoint.max_reply_bytes));
  if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  }

  Attached attached(multi.get(), h);
  if (!attached.ok()) return absl::InternalError("libcurl: cannot start the transfer");
  // Declared after `multi`, so it is unregistered (and a running invocation has finished) before
  // the multi handle goes.
  std::stop_callback wake_on_stop(stop, [m = multi.get()] { curl_multi_wakeup(m); });

  for (;;) {
    int running = 0;
    if (CURLMcode code = curl_multi_perform(multi.get(), &running); code != CURLM_OK) {
      return absl::InternalError(absl::StrCat("libcurl: ", curl_multi_strerror(code)));
    }
    if (running == 0) break;
    if (stop.stop_requested()) return Cancelled(target);
    const long wait_ms = CeilMillisUntil(deadline);
    if (wait_ms == 0) return DeadlinePassed(target);
    if (CURLMcode code =
            curl_multi_poll(multi.get(), nullptr, 0, static_cast<int>(wait_ms), nullptr);
        code != CURLM_OK) {
      return absl::InternalError(absl::StrCat("libcurl: ", curl_multi_strerror(code)));
    }
  }

  CURLcode result = CURLE_FAILED_INIT;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
    if (message->msg == CURLMSG_DONE && message->easy_handle == h) result = message->data.result;
  }
  if (result != CURLE_OK) return TransportError(result, error_detail, target, exchange);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  return HttpResponse{static_cast<int>(status), std::move(exchange.body)};
}

}  // namespace churn::ollama
