#include "right/right.h"
int Left() { return Right(); }
