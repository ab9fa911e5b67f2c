#pragma once
#include "middle/middle.h"
int Upper();
