/*
 * nswitch-nic: what differs between the QEMU releases the device builds
 * against (10.0 and 10.2, see QEMU_VERSIONS in scripts/common.sh). Each
 * difference is one definition here, so that the device's files read
 * the same for every release.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_QEMU_COMPAT_H
#define HW_NET_NSWITCH_QEMU_COMPAT_H

#include "net/net.h"

#define NSWITCH_QEMU_AT_LEAST(major, minor)                               \
    (QEMU_VERSION_MAJOR > (major) ||                                      \
     (QEMU_VERSION_MAJOR == (major) && QEMU_VERSION_MINOR >= (minor)))

/* 10.1 made the data a TypeInfo hands to class_init const. */
#if NSWITCH_QEMU_AT_LEAST(10, 1)
typedef const void NSwitchClassData;
#else
typedef void NSwitchClassData;
#endif

/*
 * The offloads a net client accepts, as QEMU 10.1 passes them (struct
 * NetOffloads); before, each was an argument. The card uses the first
 * four: it never asks a backend for UFO or USO.
 */
typedef struct NSwitchOffloads {
    bool csum;
    bool tso4;
    bool tso6;
    bool ecn;
} NSwitchOffloads;

/*
 * NSWITCH_DEFINE_SET_OFFLOAD(name, handler) defines name, a
 * NetClientInfo.set_offload for this release that calls
 * handler(NetClientState *, NSwitchOffloads).
 */
#if NSWITCH_QEMU_AT_LEAST(10, 1)
#define NSWITCH_DEFINE_SET_OFFLOAD(name, handler)                         \
    static void name(NetClientState *nc, const NetOffloads *offloads)     \
    {                                                                     \
        handler(nc, (NSwitchOffloads) {                                   \
            .csum = offloads->csum, .tso4 = offloads->tso4,               \
            .tso6 = offloads->tso6, .ecn = offloads->ecn,                 \
        });                                                               \
    }

static inline void nswitch_set_backend_offload(NetClientState *backend,
                                               NSwitchOffloads offloads)
{
    NetOffloads requested = {
        .csum = offloads.csum, .tso4 = offloads.tso4,
        .tso6 = offloads.tso6, .ecn = offloads.ecn,
    };

    qemu_set_offload(backend, &requested);
}
#else
#define NSWITCH_DEFINE_SET_OFFLOAD(name, handler)                         \
    static void name(NetClientState *nc, int csum, int tso4, int tso6,    \
                     int ecn, int ufo, int uso4, int uso6)                \
    {                                                                     \
        handler(nc, (NSwitchOffloads) {                                   \
            .csum = csum, .tso4 = tso4, .tso6 = tso6, .ecn = ecn,         \
        });                                                               \
    }

static inline void nswitch_set_backend_offload(NetClientState *backend,
                                               NSwitchOffloads offloads)
{
    qemu_set_offload(backend, offloads.csum, offloads.tso4, offloads.tso6,
                     offloads.ecn, 0, 0, 0);
}
#endif

#endif
