#pragma once
// A gRPC callback message allocator that puts a call's request and response on one protobuf arena:
// parsing a large ScoreBatch request and filling its response then costs a few block allocations
// instead of one malloc and free per string and sub-message (the profile's largest item).

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

#include <cstddef>

namespace churn::scoring_service {

template <typename Request, typename Response>
class ArenaMessageAllocator final : public grpc::MessageAllocator<Request, Response> {
 public:
  // Blocks start at `first_block` bytes and grow up to `max_block` bytes.
  ArenaMessageAllocator(size_t first_block, size_t max_block) {
    options_.start_block_size = first_block;
    options_.max_block_size = max_block;
  }

  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    return new Holder(options_);
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    explicit Holder(const google::protobuf::ArenaOptions& options) : arena_(options) {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }
    void FreeRequest() override {}  // freed with the arena

   private:
    google::protobuf::Arena arena_;
  };

  google::protobuf::ArenaOptions options_;
};

}  // namespace churn::scoring_service
