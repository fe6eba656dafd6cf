/*
 * nswitch-nic: pcap capture of the frames switched inside the card
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_CAPTURE_H
#define HW_NET_NSWITCH_CAPTURE_H

#include "hw/net/nswitch-nic.h"

struct NSwitchCapture {
    FILE *file;
    char *path;
    NSwitchSelection selection;
    uint64_t frames;
    uint8_t *buffer;        /* one frame, flattened */
};

/* Creates @path and writes the pcap file header. */
NSwitchCapture *nswitch_capture_start(const char *path, Error **errp);
/* Writes one frame (from its Ethernet header on) with the time now. */
void nswitch_capture_write(NSwitchCapture *capture, const struct iovec *iov,
                           int iovcnt);
void nswitch_capture_stop(NSwitchCapture *capture);

#endif
