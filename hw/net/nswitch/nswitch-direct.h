/*
 * nswitch-nic: the direct path, a function's frames moved by the card
 * between virtqueues
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_DIRECT_H
#define HW_NET_NSWITCH_DIRECT_H

#include "nswitch-net-port.h"

/*
 * Function port @port serves its function's transmit queue itself, from
 * the guest's kick: once the function realized, with @port its peer.
 */
void nswitch_direct_serve_tx(NSwitchNetPort *port);

/*
 * Writes a frame (@iov, with the port's virtio-net header) into the
 * receive buffers of @port's function, if its virtio-net would take it
 * as it is and has the room: then counts it delivered and returns true.
 * Within a transmit burst, its used entries and the guest's
 * notification wait for the burst's end.
 */
bool nswitch_direct_receive(NSwitchNetPort *port, const struct iovec *iov,
                            int iovcnt);

/* Publishes @port's waiting used entries and notifies its guest. */
void nswitch_direct_publish(NSwitchNetPort *port);

/* The port goes: its TX service ends, its waiting entries are forgotten. */
void nswitch_direct_release(NSwitchNetPort *port);

#endif
