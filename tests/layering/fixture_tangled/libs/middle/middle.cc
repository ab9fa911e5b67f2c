#include "middle/middle.h"

#include "base/base.h"
int Middle() { return Base(); }
