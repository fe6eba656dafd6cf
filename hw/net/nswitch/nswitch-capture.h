/*
 * nswitch-nic: pcap capture of the frames switched inside the card
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_CAPTURE_H
#define HW_NET_NSWITCH_CAPTURE_H

#include "hw/net/nswitch/switch.h"

typedef struct NSwitchCapture NSwitchCapture;

/*
 * Opens @file as QEMU opens its other outputs (qemu_create: a path, or
 * /dev/fdset/N from add-fd), or takes the descriptor that getfd named
 * NAME for "fd:NAME"; writes the pcap file header and starts the writer.
 */
NSwitchCapture *nswitch_capture_start(const char *file,
                                      const NSwitchSelection *selection,
                                      Error **errp);
/*
 * Writes what the file takes without waiting, then closes it; frames
 * left unwritten count as lost. The stats stay readable.
 */
void nswitch_capture_close(NSwitchCapture *capture);
/* Closes the capture if it is not yet, and frees it. NULL: nothing. */
void nswitch_capture_stop(NSwitchCapture *capture);

/* Whether the capture takes the frame the switch forwarded as @decision. */
bool nswitch_capture_takes(const NSwitchCapture *capture, uint32_t src_port,
                           const NSwitchDecision *decision,
                           const uint8_t *frame);
/*
 * Queues one frame (from its Ethernet header on) with the time now for
 * the writer; never blocks: a frame the buffer has no room for is lost.
 */
void nswitch_capture_write(NSwitchCapture *capture, const struct iovec *iov,
                           int iovcnt);

typedef struct NSwitchCaptureStats {
    const char *file;
    NSwitchSelection selection;
    uint64_t frames;            /* written to the file */
    uint64_t lost;              /* taken but not written */
} NSwitchCaptureStats;

NSwitchCaptureStats nswitch_capture_stats(NSwitchCapture *capture);

#endif
