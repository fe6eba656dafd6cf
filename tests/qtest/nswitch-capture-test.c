/*
 * nswitch-nic qtests: the capture's file, as QEMU's other outputs open
 * theirs. Each test is the regression test of a defect of the first
 * capture: it followed symbolic links, made files other users could
 * read, leaked its descriptor into children, could not take a descriptor
 * from the management layer, and wrote inside the datapath, so that a
 * file that did not keep up stopped the guests' traffic.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <poll.h>
#include "qemu/bswap.h"
#include "nswitch/card.h"

#define PCAP_FILE_HEADER_LEN 24
#define PCAP_RECORD_HEADER_LEN 16

static char *temp_path(const char *name)
{
    return g_strdup_printf("%s/nswitch-capture-%d-%s", g_get_tmp_dir(),
                           getpid(), name);
}

static void capture_start(QTestState *qts, const char *file)
{
    qtest_qmp_assert_success(qts, "{'execute': 'nswitch-capture-start', "
                             "'arguments': {'device': 'card0', "
                             "'file': %s}}", file);
}

/* VF0 sends a frame out of the uplink, and the uplink gets it. */
static void send_out(Card *c, uint8_t marker)
{
    uint8_t frame[60], on_uplink[128];

    make_frame(frame, other_oui_mac, c->mac[0], marker);
    vf_send(&c->vf[0], frame, sizeof(frame));
    g_assert_cmpuint(uplink_receive(c->uplink_fd, on_uplink,
                                    sizeof(on_uplink), 5000), ==, 60);
    g_assert_cmpmem(on_uplink, 60, frame, 60);
}

static void assert_pcap_with_one_frame(const uint8_t *bytes, size_t len,
                                       uint8_t marker)
{
    g_assert_cmpuint(len, ==, PCAP_FILE_HEADER_LEN +
                     PCAP_RECORD_HEADER_LEN + 60);
    g_assert_cmphex((uint32_t)ldl_le_p(bytes), ==, 0xa1b2c3d4);
    g_assert_cmpuint(ldl_le_p(bytes + PCAP_FILE_HEADER_LEN + 8), ==, 60);
    g_assert_cmpmem(bytes + PCAP_FILE_HEADER_LEN + PCAP_RECORD_HEADER_LEN,
                    6, other_oui_mac, 6);
    g_assert_cmpuint(bytes[len - 1], ==, marker);
}

/* A symbolic link is refused, and what it points to is left alone. */
static void test_symlink_is_refused(void)
{
    g_autofree char *target = temp_path("target");
    g_autofree char *link = temp_path("link");
    g_autofree char *contents = NULL;
    Card c;

    g_assert_true(g_file_set_contents(target, "keep me", -1, NULL));
    g_assert_cmpint(symlink(target, link), ==, 0);
    card_start(&c, ",vfs=1,id=card0", 1);
    assert_qmp_error(c.qts, "cannot create capture file", "{'execute': "
                     "'nswitch-capture-start', 'arguments': {'device': "
                     "'card0', 'file': '%s'}}", link);
    g_assert_true(g_file_get_contents(target, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, "keep me");
    card_stop(&c);
    unlink(link);
    unlink(target);
}

/* The fd of @path in process @pid, or -1. */
static int fd_of(pid_t pid, const char *path)
{
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", pid);
    GDir *fds = g_dir_open(dir, 0, NULL);
    const char *name;
    int found = -1;

    g_assert_nonnull(fds);
    while (found < 0 && (name = g_dir_read_name(fds))) {
        g_autofree char *fd_path = g_build_filename(dir, name, NULL);
        g_autofree char *target = g_file_read_link(fd_path, NULL);

        if (target && !strcmp(target, path)) {
            found = atoi(name);
        }
    }
    g_dir_close(fds);
    return found;
}

static unsigned long fd_flags(pid_t pid, int fd)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/fdinfo/%d", pid, fd);
    g_autofree char *info = NULL;
    const char *flags;

    g_assert_true(g_file_get_contents(path, &info, NULL, NULL));
    flags = strstr(info, "flags:");
    g_assert_nonnull(flags);
    return g_ascii_strtoull(flags + strlen("flags:"), NULL, 8);
}

/*
 * A new file is its owner's only; an existing one readable by others
 * loses that; the descriptor does not pass to QEMU's children.
 */
static void test_file_is_private_and_not_inherited(void)
{
    g_autofree char *path = temp_path("private.pcap");
    g_autofree char *contents = NULL;
    struct stat st;
    int64_t lost;
    size_t len;
    int fd;
    Card c;

    card_start(&c, ",vfs=1,id=card0", 1);
    unlink(path);
    capture_start(c.qts, path);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmphex(st.st_mode & 0777, ==, 0600);
    fd = fd_of(qtest_pid(c.qts), path);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmphex(fd_flags(qtest_pid(c.qts), fd) & O_CLOEXEC, ==,
                    O_CLOEXEC);
    send_out(&c, 0x31);
    g_assert_cmpint(capture_stop(c.qts, "card0", &lost), ==, 1);
    g_assert_cmpint(lost, ==, 0);
    g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
    assert_pcap_with_one_frame((uint8_t *)contents, len, 0x31);

    g_assert_cmpint(chmod(path, 0644), ==, 0);
    capture_start(c.qts, path);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmphex(st.st_mode & 0777, ==, 0600);
    g_assert_cmpint(capture_stop(c.qts, "card0", &lost), ==, 0);
    card_stop(&c);
    unlink(path);
}

/* Reads the pipe to its end (each wait bounded), up to @size bytes. */
static size_t read_pipe(int fd, uint8_t *bytes, size_t size)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    size_t len = 0;
    ssize_t got = 1;

    while (len < size && got > 0) {
        g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
        got = read(fd, bytes + len, size - len);
        g_assert_cmpint(got, >=, 0);
        len += got;
    }
    return len;
}

static void assert_capture_to_passed_fd(bool fdset)
{
    uint8_t bytes[256];
    int64_t lost;
    int pipe_fds[2];
    Card c;

    card_start(&c, ",vfs=1,id=card0", 1);
    g_assert_cmpint(pipe(pipe_fds), ==, 0);
    if (fdset) {
        qtest_qmp_fds_assert_success(c.qts, &pipe_fds[1], 1,
                                     "{'execute': 'add-fd', 'arguments': "
                                     "{'fdset-id': 7}}");
    } else {
        qtest_qmp_fds_assert_success(c.qts, &pipe_fds[1], 1,
                                     "{'execute': 'getfd', 'arguments': "
                                     "{'fdname': 'capture'}}");
    }
    close(pipe_fds[1]);
    capture_start(c.qts, fdset ? "/dev/fdset/7" : "fd:capture");
    send_out(&c, 0x32);
    g_assert_cmpint(capture_stop(c.qts, "card0", &lost), ==, 1);
    g_assert_cmpint(lost, ==, 0);
    if (fdset) {
        qtest_qmp_assert_success(c.qts, "{'execute': 'remove-fd', "
                                 "'arguments': {'fdset-id': 7}}");
    }
    /* the capture closed its descriptor: the pipe ends after the frame */
    assert_pcap_with_one_frame(bytes, read_pipe(pipe_fds[0], bytes,
                                                sizeof(bytes)), 0x32);
    close(pipe_fds[0]);
    card_stop(&c);
}

static void test_capture_to_getfd_descriptor(void)
{
    assert_capture_to_passed_fd(false);
}

static void test_capture_to_fdset(void)
{
    assert_capture_to_passed_fd(true);
}

static void test_getfd_name_unknown_is_refused(void)
{
    Card c;

    card_start(&c, ",vfs=1,id=card0", 1);
    assert_qmp_error(c.qts, "cannot create capture file", "{'execute': "
                     "'nswitch-capture-start', 'arguments': {'device': "
                     "'card0', 'file': 'fd:nothing'}}");
    card_stop(&c);
}

/*
 * A pipe nobody reads: the capture loses frames (counted), the guests'
 * traffic goes on, and stop returns.
 */
static void test_pipe_nobody_reads_costs_captured_frames_only(void)
{
    /* a 4 MiB capture buffer and a pipe's 64 KiB: 80 frames do not fit */
    const size_t len = 60000;
    const int sent = 80;
    g_autofree uint8_t *frame = g_malloc0(len);
    g_autofree uint8_t *on_uplink = g_malloc(len);
    int64_t frames, lost;
    int pipe_fds[2];
    Card c;

    card_start(&c, ",vfs=1,id=card0", 1);
    g_assert_cmpint(pipe(pipe_fds), ==, 0);
    qtest_qmp_fds_assert_success(c.qts, &pipe_fds[1], 1,
                                 "{'execute': 'getfd', 'arguments': "
                                 "{'fdname': 'capture'}}");
    close(pipe_fds[1]);
    capture_start(c.qts, "fd:capture");
    make_frame(frame, other_oui_mac, c.mac[0], 0x33);
    vf_queue_from(&c.vf[0], BIG_FRAME_AREA, NULL, frame, len);
    for (int i = 0; i < sent; i++) {
        if (i) {
            queue_buffer(&c.vf[0], TX_QUEUE, BIG_FRAME_AREA,
                         VNET_HDR_LEN + len, false);
        }
        wait_for_used(&c.vf[0], TX_QUEUE);
        g_assert_cmpuint(uplink_receive(c.uplink_fd, on_uplink, len, 5000),
                         ==, len);
    }
    g_assert_cmpint(card_counter(c.qts, UPLINK_PORT, "tx-frames"), ==, sent);
    frames = capture_stop(c.qts, "card0", &lost);
    g_assert_cmpint(lost, >, 0);
    g_assert_cmpint(frames + lost, ==, sent);
    send_out(&c, 0x34);
    close(pipe_fds[0]);
    card_stop(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nswitch-nic/capture/symlink-refused",
                   test_symlink_is_refused);
    qtest_add_func("/nswitch-nic/capture/private-and-cloexec",
                   test_file_is_private_and_not_inherited);
    qtest_add_func("/nswitch-nic/capture/getfd",
                   test_capture_to_getfd_descriptor);
    qtest_add_func("/nswitch-nic/capture/fdset", test_capture_to_fdset);
    qtest_add_func("/nswitch-nic/capture/getfd-unknown",
                   test_getfd_name_unknown_is_refused);
    qtest_add_func("/nswitch-nic/capture/pipe-nobody-reads",
                   test_pipe_nobody_reads_costs_captured_frames_only);
    return g_test_run();
}
