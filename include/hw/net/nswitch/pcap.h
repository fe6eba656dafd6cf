/*
 * nswitch core: the pcap file format, for captures of in-card traffic
 *
 * Classic libpcap files (what tcpdump -r and Wireshark read): a file
 * header, then a record header before each frame. Written little-endian
 * with microsecond timestamps, Ethernet link type.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_PCAP_H
#define NSWITCH_PCAP_H

#include <stdint.h>

#define NSWITCH_PCAP_FILE_HEADER_LEN 24
#define NSWITCH_PCAP_RECORD_HEADER_LEN 16
#define NSWITCH_PCAP_MAGIC 0xa1b2c3d4u
#define NSWITCH_PCAP_LINKTYPE_ETHERNET 1

void nswitch_pcap_file_header(uint8_t header[NSWITCH_PCAP_FILE_HEADER_LEN],
                              uint32_t snaplen);

/* A frame of @original bytes seen at @time_ns, of which @captured follow. */
void nswitch_pcap_record_header(uint8_t header[NSWITCH_PCAP_RECORD_HEADER_LEN],
                                uint64_t time_ns, uint32_t captured,
                                uint32_t original);

#endif
