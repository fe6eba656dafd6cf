/*
 * nswitch-nic: the datapath between the switch ports, and between the
 * switches of a multi-port card's ports
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_DATAPATH_H
#define HW_NET_NSWITCH_DATAPATH_H

#include "net/net.h"
#include "hw/net/nswitch/switch.h"

typedef struct NSwitchDatapath NSwitchDatapath;
typedef struct NSwitchCapture NSwitchCapture;

typedef struct NSwitchDatapathConfig {
    uint32_t port_count;
    uint32_t uplink_port;
    uint32_t relay_entries;     /* room in the relay table */
    uint32_t relay_groups;
    uint32_t rx_queue;          /* frames held per port */
    uint64_t buffer_size;       /* bytes held by the whole card */
    bool direct_path;           /* nswitch-direct.c, for function ports */
    /*
     * A port of a multi-port card: the switch's port that leads to the
     * other ports' switches (see nswitch_datapath_link); else
     * NSWITCH_RELAY_NONE.
     */
    uint32_t card_port;
    /* The uplink netdev's link went up or down. */
    void (*uplink_link_changed)(void *opaque);
    void *opaque;
} NSwitchDatapathConfig;

/* The switch and its datapath, without ports; NULL if it cannot be. */
NSwitchDatapath *nswitch_datapath_new(const NSwitchDatapathConfig *config);
/*
 * Parts it from the other ports' datapaths, deletes the ports (dropping
 * what they hold), the capture, the switch.
 */
void nswitch_datapath_free(NSwitchDatapath *dp);

/* The switch that decides where frames go, and counts them. */
NSwitch *nswitch_datapath_core(NSwitchDatapath *dp);

/*
 * A port for a function (PF or VF): returns the net client its
 * virtio-net is to be peered with.
 */
NetClientState *nswitch_datapath_add_function(NSwitchDatapath *dp,
                                              uint32_t number,
                                              const char *name);
/*
 * Function port @number's virtio-net is realized: the port serves its
 * transmit queue itself (the direct path, nswitch-direct.c).
 */
void nswitch_datapath_serve_tx(NSwitchDatapath *dp, uint32_t number);
/* The uplink port, peered with the user's -netdev @backend. */
void nswitch_datapath_add_uplink(NSwitchDatapath *dp, NetClientState *backend,
                                 const char *name);
/* The net client of function port @number, for its virtio-net. */
NetClientState *nswitch_datapath_function_peer(NSwitchDatapath *dp,
                                               uint32_t number);

/* Whether the uplink's cable is plugged and its link up. */
bool nswitch_datapath_uplink_up(NSwitchDatapath *dp);

/* Frames port @number holds for its receiver now. */
uint32_t nswitch_datapath_held(NSwitchDatapath *dp, uint32_t number);
/* Bytes the card holds for receivers now. */
uint64_t nswitch_datapath_buffered(const NSwitchDatapath *dp);
/*
 * Drops what port @number holds for its receiver, counted port-down:
 * the function is going away or being reset.
 */
void nswitch_datapath_purge(NSwitchDatapath *dp, uint32_t number);

/*
 * Forgets the MAC the switch last refused function port @number's guest,
 * so that its next frame tries it again (its trust changed).
 */
void nswitch_datapath_forget_refused_mac(NSwitchDatapath *dp,
                                         uint32_t number);

/*
 * Joins the switches of two ports of one card, both ways: frames for
 * @peer's relay group @peer_oui that @peer knows go to it inside the
 * card, and back for @dp's group @dp_oui. Both have a card port.
 */
void nswitch_datapath_link(NSwitchDatapath *dp, uint32_t dp_oui,
                           NSwitchDatapath *peer, uint32_t peer_oui);
/* Parts them again. */
void nswitch_datapath_unlink(NSwitchDatapath *dp, NSwitchDatapath *peer);

/* The running capture, or NULL. */
NSwitchCapture *nswitch_datapath_capture(NSwitchDatapath *dp);
/* Starts feeding @capture (none must run), or stops: returns the old. */
NSwitchCapture *nswitch_datapath_swap_capture(NSwitchDatapath *dp,
                                              NSwitchCapture *capture);

#endif
