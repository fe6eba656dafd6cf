/*
 * nswitch core: the pcap file format
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hw/net/nswitch/pcap.h"

#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4

static void put_le16(uint8_t *at, uint16_t value)
{
    at[0] = value;
    at[1] = value >> 8;
}

static void put_le32(uint8_t *at, uint32_t value)
{
    put_le16(at, value);
    put_le16(at + 2, value >> 16);
}

void nswitch_pcap_file_header(uint8_t header[NSWITCH_PCAP_FILE_HEADER_LEN],
                              uint32_t snaplen)
{
    put_le32(header, NSWITCH_PCAP_MAGIC);
    put_le16(header + 4, PCAP_VERSION_MAJOR);
    put_le16(header + 6, PCAP_VERSION_MINOR);
    put_le32(header + 8, 0);        /* timestamps are UTC */
    put_le32(header + 12, 0);       /* accuracy: unused by every reader */
    put_le32(header + 16, snaplen);
    put_le32(header + 20, NSWITCH_PCAP_LINKTYPE_ETHERNET);
}

void nswitch_pcap_record_header(uint8_t header[NSWITCH_PCAP_RECORD_HEADER_LEN],
                                uint64_t time_ns, uint32_t captured,
                                uint32_t original)
{
    put_le32(header, time_ns / 1000000000u);
    put_le32(header + 4, time_ns % 1000000000u / 1000u);
    put_le32(header + 8, captured);
    put_le32(header + 12, original);
}
