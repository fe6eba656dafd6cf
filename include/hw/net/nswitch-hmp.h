/*
 * nswitch-nic: the HMP command "nswitch"
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_HMP_H
#define HW_NET_NSWITCH_HMP_H

#include "qobject/qdict.h"

typedef struct Monitor Monitor;

void hmp_nswitch(Monitor *mon, const QDict *qdict);

#endif
