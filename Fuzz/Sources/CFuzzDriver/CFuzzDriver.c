// Only the declaration in include/CFuzzDriver.h is needed; the definition is libFuzzer's.
#include "CFuzzDriver.h"
