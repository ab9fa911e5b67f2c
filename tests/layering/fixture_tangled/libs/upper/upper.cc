#include "upper/upper.h"

#include "base/base.h"
int Upper() { return Middle() + Base(); }
