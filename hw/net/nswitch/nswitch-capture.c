/*
 * nswitch-nic: pcap capture of the frames switched inside the card
 *
 * A frame is written whole up to 64 KiB (a GSO frame as the sender gave
 * it, as tcpdump shows TSO traffic on a host), and the file is flushed
 * after each, so that a capture can be read while it runs.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "qapi/error.h"
#include "hw/net/nswitch/pcap.h"
#include "nswitch-capture.h"

#define CAPTURE_SNAPLEN 65535

NSwitchCapture *nswitch_capture_start(const char *path, Error **errp)
{
    uint8_t header[NSWITCH_PCAP_FILE_HEADER_LEN];
    NSwitchCapture *capture;
    FILE *file = fopen(path, "wb");

    if (!file) {
        error_setg_errno(errp, errno, "cannot create capture file '%s'",
                         path);
        return NULL;
    }
    nswitch_pcap_file_header(header, CAPTURE_SNAPLEN);
    if (fwrite(header, sizeof(header), 1, file) != 1 || fflush(file)) {
        error_setg_errno(errp, errno, "cannot write capture file '%s'", path);
        fclose(file);
        return NULL;
    }
    capture = g_new0(NSwitchCapture, 1);
    capture->file = file;
    capture->path = g_strdup(path);
    capture->buffer = g_malloc(CAPTURE_SNAPLEN);
    return capture;
}

void nswitch_capture_write(NSwitchCapture *capture, const struct iovec *iov,
                           int iovcnt)
{
    uint8_t header[NSWITCH_PCAP_RECORD_HEADER_LEN];
    size_t len = iov_size(iov, iovcnt);
    size_t captured = iov_to_buf(iov, iovcnt, 0, capture->buffer,
                                 CAPTURE_SNAPLEN);

    nswitch_pcap_record_header(header, g_get_real_time() * 1000, captured,
                               len);
    /* A full disk ends the capture's usefulness, not the guest's traffic. */
    if (fwrite(header, sizeof(header), 1, capture->file) == 1 &&
        fwrite(capture->buffer, captured, 1, capture->file) == 1 &&
        !fflush(capture->file)) {
        capture->frames++;
    }
}

void nswitch_capture_stop(NSwitchCapture *capture)
{
    if (capture) {
        fclose(capture->file);
        g_free(capture->path);
        g_free(capture->buffer);
        g_free(capture);
    }
}
