#include "common/logging.h"
void Log() {}
