/*
 * nswitch-nic: the datapath between the switch ports
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_DATAPATH_H
#define HW_NET_NSWITCH_DATAPATH_H

#include "nswitch-port.h"

/* Takes the per-card scratch buffers the datapath reuses for each frame. */
void nswitch_datapath_init(NSwitchNic *card);
void nswitch_datapath_cleanup(NSwitchNic *card);

/* Forwards a frame that arrived on @src. */
void nswitch_datapath_forward(NSwitchNic *card, NSwitchPort *src,
                              const struct iovec *iov, int iovcnt);

#endif
