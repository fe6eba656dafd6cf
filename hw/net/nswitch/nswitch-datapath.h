/*
 * nswitch-nic: the datapath between the switch ports
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_DATAPATH_H
#define HW_NET_NSWITCH_DATAPATH_H

#include "nswitch-port.h"

typedef struct NSwitchDatapath NSwitchDatapath;
typedef struct NSwitchCapture NSwitchCapture;

typedef struct NSwitchDatapathConfig {
    NSwitch *core;              /* borrowed: the card owns it */
    uint32_t port_count;
    uint32_t rx_queue;          /* frames held per port */
    uint64_t buffer_size;       /* bytes held by the whole card */
    /* The uplink netdev's link went up or down. */
    void (*uplink_link_changed)(void *opaque);
    void *opaque;
} NSwitchDatapathConfig;

NSwitchDatapath *nswitch_datapath_new(const NSwitchDatapathConfig *config);
/* Deletes the ports (dropping what they hold) and stops any capture. */
void nswitch_datapath_free(NSwitchDatapath *dp);

NSwitchPort *nswitch_datapath_add_function(NSwitchDatapath *dp,
                                           uint32_t number, const char *name);
NSwitchPort *nswitch_datapath_add_uplink(NSwitchDatapath *dp, uint32_t number,
                                         NetClientState *backend,
                                         const char *name);
/* The port @number, or NULL (the uplink of a card without netdev). */
NSwitchPort *nswitch_datapath_port(NSwitchDatapath *dp, uint32_t number);

/* Bytes the card holds for receivers now. */
uint64_t nswitch_datapath_buffered(const NSwitchDatapath *dp);

/* The running capture, or NULL. */
NSwitchCapture *nswitch_datapath_capture(NSwitchDatapath *dp);
/* Starts feeding @capture (none must run), or stops: returns the old. */
NSwitchCapture *nswitch_datapath_swap_capture(NSwitchDatapath *dp,
                                              NSwitchCapture *capture);

#endif
