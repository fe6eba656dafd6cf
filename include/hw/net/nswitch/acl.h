/*
 * nswitch core: the access control list of the in-card switch
 *
 * An ordered list of rules, each matching a frame's source and destination
 * MAC under a mask (a whole MAC, or an OUI with mask ff:ff:ff:00:00:00),
 * its VLAN and its ethertype, with an action: allow, drop, or mirror (let
 * it through and copy it to the monitor port). The first rule that
 * matches decides and counts a hit; a frame no rule matches is allowed.
 * The list is fixed in size when made; nothing allocates afterwards.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_ACL_H
#define NSWITCH_ACL_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/net/nswitch/relay-table.h"

#define NSWITCH_ACL_MAX_RULES 1024
/* A VLAN match for untagged frames. */
#define NSWITCH_ACL_UNTAGGED 0

typedef enum NSwitchAclAction {
    NSWITCH_ACL_ALLOW,
    NSWITCH_ACL_DROP,
    NSWITCH_ACL_MIRROR,
    NSWITCH_ACL__MAX
} NSwitchAclAction;

typedef enum NSwitchAclStatus {
    NSWITCH_ACL_OK = 0,
    NSWITCH_ACL_FULL,
    NSWITCH_ACL_NOT_FOUND,
    NSWITCH_ACL_BAD_RULE,
    NSWITCH_ACL_ID_IN_USE,
} NSwitchAclStatus;

typedef struct NSwitchAclMatch {
    uint8_t src[NSWITCH_MAC_LEN];
    uint8_t src_mask[NSWITCH_MAC_LEN];  /* all zero: any source */
    uint8_t dst[NSWITCH_MAC_LEN];
    uint8_t dst_mask[NSWITCH_MAC_LEN];  /* all zero: any destination */
    bool match_vlan;
    uint16_t vlan;                      /* NSWITCH_ACL_UNTAGGED or 1..4094 */
    bool match_ethertype;
    uint16_t ethertype;                 /* after any VLAN tag */
} NSwitchAclMatch;

typedef struct NSwitchAclRule {
    uint32_t id;
    NSwitchAclMatch match;
    NSwitchAclAction action;
    uint64_t hits;
} NSwitchAclRule;

/* What the switch knows of a frame when it looks it up. */
typedef struct NSwitchAclFrame {
    const uint8_t *dst;
    const uint8_t *src;
    uint16_t vlan;                      /* NSWITCH_ACL_UNTAGGED if none */
    uint16_t ethertype;
} NSwitchAclFrame;

/*
 * Not opaque, for nswitch_acl_count() below, which is inline: the switch
 * asks it of every frame, to skip an empty list without a call. Only
 * acl.c and that function touch the fields.
 */
typedef struct NSwitchAcl {
    NSwitchAclRule *rules;
    uint32_t count;
    uint32_t capacity;
    uint32_t next_id;
} NSwitchAcl;

/* Returns NULL when @capacity is 0 or above NSWITCH_ACL_MAX_RULES. */
NSwitchAcl *nswitch_acl_new(uint32_t capacity);
void nswitch_acl_free(NSwitchAcl *acl);

/*
 * Appends a rule, or puts it before the rule at @position when that is
 * less than the number of rules; its id (unique, never reused while the
 * list lives) goes to @id. A match must have its MAC bits within its
 * mask and a VLAN below 4095.
 */
NSwitchAclStatus nswitch_acl_add(NSwitchAcl *acl, const NSwitchAclMatch *match,
                                 NSwitchAclAction action, uint32_t position,
                                 uint32_t *id);
NSwitchAclStatus nswitch_acl_remove(NSwitchAcl *acl, uint32_t id);
/* Removes every rule; ids keep counting up. */
void nswitch_acl_flush(NSwitchAcl *acl);

/* Puts back a rule with its id and hits (migration): appended. */
NSwitchAclStatus nswitch_acl_restore(NSwitchAcl *acl,
                                     const NSwitchAclRule *rule);

/* The first rule that matches @frame, with its hit counted, or NULL. */
const NSwitchAclRule *nswitch_acl_lookup(NSwitchAcl *acl,
                                         const NSwitchAclFrame *frame);

/* Rules in order: index 0 .. count - 1. */
static inline uint32_t nswitch_acl_count(const NSwitchAcl *acl)
{
    return acl->count;
}

const NSwitchAclRule *nswitch_acl_rule(const NSwitchAcl *acl, uint32_t index);
uint32_t nswitch_acl_capacity(const NSwitchAcl *acl);
void nswitch_acl_clear_hits(NSwitchAcl *acl);

const char *nswitch_acl_action_name(NSwitchAclAction action);
const char *nswitch_acl_status_message(NSwitchAclStatus status);

#endif
