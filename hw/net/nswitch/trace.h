#include "trace/trace-hw_net_nswitch.h"
