/*
 * nswitch-nic: pcap capture of the frames switched inside the card
 *
 * A frame is written whole up to 64 KiB (a GSO frame as the sender gave
 * it, as tcpdump shows TSO traffic on a host). The datapath only copies
 * it into a bounded ring (capture-ring.c); a thread of the capture's own
 * writes the ring out, so that a slow disk or a pipe nobody reads costs
 * captured frames (counted as lost), never the guests' traffic or the
 * main loop. The file is opened as QEMU's other outputs are: no link
 * followed, not readable by other users, not inherited by children, or
 * handed over by the management layer (add-fd, getfd).
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/event_notifier.h"
#include "qemu/iov.h"
#include "qemu/thread.h"
#include "qapi/error.h"
#include "monitor/monitor.h"
#include "hw/net/nswitch/capture-ring.h"
#include "hw/net/nswitch/pcap.h"
#include "nswitch-capture.h"

#define CAPTURE_SNAPLEN 65535
#define CAPTURE_BUFFER (4 * 1024 * 1024)
#define CAPTURE_MAX_RECORDS (CAPTURE_BUFFER / NSWITCH_PCAP_RECORD_HEADER_LEN)

struct NSwitchCapture {
    char *file;
    int fd;
    NSwitchSelection selection;
    uint8_t *record;            /* one record, flattened: the datapath's */

    QemuThread writer;
    EventNotifier wake;         /* stop, for a writer waiting on the fd */
    QemuMutex lock;             /* the rest */
    QemuCond filled;
    NSwitchCaptureRing *ring;
    bool stopping;
    bool failed;                /* a write failed: nothing more goes */
    uint64_t frames;
    uint64_t lost;
};

static int open_capture_file(const char *file, Error **errp)
{
    ERRP_GUARD();
    struct stat st;
    int fd;

    bool handed_over = g_str_has_prefix(file, "fd:") ||
                       g_str_has_prefix(file, "/dev/fdset/");

    if (g_str_has_prefix(file, "fd:")) {
        fd = monitor_get_fd(monitor_cur(), file + 3, errp);
    } else {
        /* a descriptor handed over is written as is: no truncation */
        fd = qemu_create(file, O_WRONLY | O_NONBLOCK | O_BINARY |
                         (handed_over ? 0 : O_TRUNC | O_NOFOLLOW), 0600,
                         errp);
    }
    if (fd < 0) {
        error_prepend(errp, "cannot create capture file: ");
        return -1;
    }
    if (handed_over) {
        return fd;
    }
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        error_setg(errp, "capture file '%s' is not a regular file (hand a "
                   "pipe or socket over with add-fd)", file);
        close(fd);
        return -1;
    }
    /* An existing file keeps its mode: guest traffic stays private. */
    if ((st.st_mode & 077) && fchmod(fd, st.st_mode & 0700)) {
        error_setg_errno(errp, errno, "capture file '%s' is readable by "
                         "other users and its mode cannot be changed", file);
        close(fd);
        return -1;
    }
    return fd;
}

/* Waits until the file takes bytes; false if the capture stops first. */
static bool wait_writable(NSwitchCapture *capture)
{
    GPollFD fds[2] = {
        { .fd = capture->fd, .events = G_IO_OUT },
        { .fd = event_notifier_get_fd(&capture->wake), .events = G_IO_IN },
    };

    while (g_poll(fds, 2, -1) < 0 && errno == EINTR) {
        continue;
    }
    return !(fds[1].revents & G_IO_IN) || (fds[0].revents & G_IO_OUT);
}

static void *capture_writer(void *opaque)
{
    NSwitchCapture *capture = opaque;

    qemu_mutex_lock(&capture->lock);
    for (;;) {
        const uint8_t *data;
        size_t len;
        ssize_t written;

        while (!nswitch_capture_ring_used(capture->ring) &&
               !capture->stopping) {
            qemu_cond_wait(&capture->filled, &capture->lock);
        }
        len = nswitch_capture_ring_peek(capture->ring, &data);
        if (!len) {
            break;
        }
        qemu_mutex_unlock(&capture->lock);
        written = write(capture->fd, data, len);
        if (written < 0 && errno == EAGAIN && wait_writable(capture)) {
            written = 0;
        } else if (written < 0 && errno == EINTR) {
            written = 0;
        }
        qemu_mutex_lock(&capture->lock);
        if (written < 0) {
            /* a full disk, a closed pipe, or a stop while it waited */
            capture->failed = true;
            capture->lost += nswitch_capture_ring_discard(capture->ring);
            continue;
        }
        capture->frames += nswitch_capture_ring_consume(capture->ring,
                                                        written);
    }
    qemu_mutex_unlock(&capture->lock);
    return NULL;
}

NSwitchCapture *nswitch_capture_start(const char *file,
                                      const NSwitchSelection *selection,
                                      Error **errp)
{
    uint8_t header[NSWITCH_PCAP_FILE_HEADER_LEN];
    NSwitchCapture *capture;
    int fd = open_capture_file(file, errp);

    if (fd < 0) {
        return NULL;
    }
    nswitch_pcap_file_header(header, CAPTURE_SNAPLEN);
    /* The header goes first, into a new file or an empty pipe. */
    if (!g_unix_set_fd_nonblocking(fd, true, NULL) ||
        write(fd, header, sizeof(header)) != sizeof(header)) {
        error_setg_errno(errp, errno, "cannot write capture file '%s'", file);
        qemu_close(fd);
        return NULL;
    }
    capture = g_new0(NSwitchCapture, 1);
    capture->file = g_strdup(file);
    capture->fd = fd;
    capture->selection = *selection;
    capture->record = g_malloc(NSWITCH_PCAP_RECORD_HEADER_LEN +
                               CAPTURE_SNAPLEN);
    capture->ring = nswitch_capture_ring_new(CAPTURE_BUFFER,
                                             CAPTURE_MAX_RECORDS);
    event_notifier_init(&capture->wake, false);
    qemu_mutex_init(&capture->lock);
    qemu_cond_init(&capture->filled);
    qemu_thread_create(&capture->writer, "nswitch-capture", capture_writer,
                       capture, QEMU_THREAD_JOINABLE);
    return capture;
}

void nswitch_capture_close(NSwitchCapture *capture)
{
    if (capture->fd < 0) {
        return;
    }
    qemu_mutex_lock(&capture->lock);
    capture->stopping = true;
    qemu_cond_signal(&capture->filled);
    qemu_mutex_unlock(&capture->lock);
    event_notifier_set(&capture->wake);
    qemu_thread_join(&capture->writer);
    /* qemu_close: a descriptor from an fdset leaves the set's list */
    qemu_close(capture->fd);
    capture->fd = -1;
    /* what the writer could not take before it stopped */
    capture->lost += nswitch_capture_ring_discard(capture->ring);
}

void nswitch_capture_stop(NSwitchCapture *capture)
{
    if (!capture) {
        return;
    }
    nswitch_capture_close(capture);
    event_notifier_cleanup(&capture->wake);
    qemu_cond_destroy(&capture->filled);
    qemu_mutex_destroy(&capture->lock);
    nswitch_capture_ring_free(capture->ring);
    g_free(capture->record);
    g_free(capture->file);
    g_free(capture);
}

bool nswitch_capture_takes(const NSwitchCapture *capture, uint32_t src_port,
                           const NSwitchDecision *decision,
                           const uint8_t *frame)
{
    return nswitch_selection_takes(&capture->selection, src_port, frame,
                                   decision);
}

void nswitch_capture_write(NSwitchCapture *capture, const struct iovec *iov,
                           int iovcnt)
{
    uint8_t *record = capture->record;
    size_t len = iov_size(iov, iovcnt);
    size_t captured = iov_to_buf(iov, iovcnt, 0,
                                 record + NSWITCH_PCAP_RECORD_HEADER_LEN,
                                 CAPTURE_SNAPLEN);

    nswitch_pcap_record_header(record, g_get_real_time() * 1000, captured,
                               len);
    qemu_mutex_lock(&capture->lock);
    if (capture->failed || capture->stopping ||
        !nswitch_capture_ring_put(capture->ring, record,
                                  NSWITCH_PCAP_RECORD_HEADER_LEN +
                                  captured)) {
        capture->lost++;
    } else {
        qemu_cond_signal(&capture->filled);
    }
    qemu_mutex_unlock(&capture->lock);
}

NSwitchCaptureStats nswitch_capture_stats(NSwitchCapture *capture)
{
    NSwitchCaptureStats stats = {
        .file = capture->file, .selection = capture->selection,
    };

    qemu_mutex_lock(&capture->lock);
    stats.frames = capture->frames;
    stats.lost = capture->lost;
    qemu_mutex_unlock(&capture->lock);
    return stats;
}
