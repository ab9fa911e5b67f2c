#include "right/right.h"
int Right() { return 2; }
