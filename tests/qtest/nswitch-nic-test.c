/*
 * QTest for nswitch-nic: the device on a q35 PCIe root port
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qapi/error.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "hw/pci/pci_regs.h"
#include "hw/pci/pci_ids.h"

#define VIRTIO_PCI_VENDOR_ID 0x1af4
#define VIRTIO_NET_MODERN_DEVICE_ID 0x1041

/* Root port at 00:02.0; the firmware is not run, so we number its bus. */
#define ROOT_PORT_DEVFN (2 << 3)
#define CARD_BUS 1
#define MACHINE_ARGS "-machine q35 -nodefaults " \
    "-device pcie-root-port,id=rp0,bus=pcie.0,chassis=1,addr=0x2"

static uint32_t config_address(uint8_t bus, uint8_t devfn, uint8_t offset)
{
    return 0x80000000u | (bus << 16) | (devfn << 8) | (offset & 0xfc);
}

static uint32_t config_readl(QTestState *qts, uint8_t bus, uint8_t devfn,
                             uint8_t offset)
{
    qtest_outl(qts, 0xcf8, config_address(bus, devfn, offset));
    return qtest_inl(qts, 0xcfc);
}

static void config_writel(QTestState *qts, uint8_t bus, uint8_t devfn,
                          uint8_t offset, uint32_t value)
{
    qtest_outl(qts, 0xcf8, config_address(bus, devfn, offset));
    qtest_outl(qts, 0xcfc, value);
}

static void number_root_port_bus(QTestState *qts)
{
    /* primary 0, secondary and subordinate CARD_BUS */
    config_writel(qts, 0, ROOT_PORT_DEVFN, PCI_PRIMARY_BUS,
                  (CARD_BUS << 16) | (CARD_BUS << 8));
}

static QTestState *start_with_card(const char *card_options)
{
    QTestState *qts = qtest_initf(MACHINE_ARGS " -device nswitch-nic,bus=rp0%s",
                                  card_options);

    number_root_port_bus(qts);
    return qts;
}

static void test_pf_identifies_as_modern_virtio_net(void)
{
    QTestState *qts = start_with_card("");
    uint32_t id = config_readl(qts, CARD_BUS, 0, PCI_VENDOR_ID);
    uint32_t class = config_readl(qts, CARD_BUS, 0, PCI_CLASS_REVISION);

    g_assert_cmphex(id & 0xffff, ==, VIRTIO_PCI_VENDOR_ID);
    g_assert_cmphex(id >> 16, ==, VIRTIO_NET_MODERN_DEVICE_ID);
    g_assert_cmphex(class >> 16, ==, PCI_CLASS_NETWORK_ETHERNET);
    qtest_quit(qts);
}

static void test_properties_have_defaults(void)
{
    QTestState *qts = start_with_card(",id=card");
    QDict *rsp;

    rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': '/machine/peripheral/card', 'property': 'vfs'}}");
    g_assert_cmpint(qdict_get_int(rsp, "return"), ==, 7);
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': '/machine/peripheral/card', 'property': 'ari'}}");
    g_assert_false(qdict_get_bool(rsp, "return"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

/* Hot-adds a card with @options and expects an error that mentions @needle. */
static void assert_device_add_fails(const char *options, const char *needle)
{
    QTestState *qts = qtest_init(MACHINE_ARGS
        " -device pcie-root-port,id=rp1,bus=pcie.0,chassis=2,addr=0x3");
    g_autofree char *json = g_strdup_printf(
        "{'driver': 'nswitch-nic', 'id': 'bad', 'bus': 'rp1', %s}", options);
    QObject *args = qobject_from_json(json, &error_abort);
    QDict *rsp = qtest_qmp(qts, "{'execute': 'device_add', 'arguments': %p}",
                           args);
    QDict *error = qdict_get_qdict(rsp, "error");
    const char *desc;

    g_assert_nonnull(error);
    desc = qdict_get_str(error, "desc");
    g_test_message("device_add {%s}: %s", options, desc);
    g_assert_nonnull(strstr(desc, needle));
    qobject_unref(rsp);
    qtest_quit(qts);
}

static void test_too_many_vfs_without_ari_is_refused(void)
{
    assert_device_add_fails("'vfs': 8", "'vfs'");
}

static void test_too_many_vfs_with_ari_is_refused(void)
{
    assert_device_add_fails("'vfs': 256, 'ari': true", "'vfs'");
}

static void test_malformed_oui_is_refused(void)
{
    assert_device_add_fails("'oui': '02:6e'", "'oui'");
    assert_device_add_fails("'oui': '02:6e:00:01'", "'oui'");
    assert_device_add_fails("'oui': 'zz:00:00'", "'oui'");
}

static void test_multicast_oui_is_refused(void)
{
    assert_device_add_fails("'oui': '03:00:00'", "multicast");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/nswitch-nic/pf/identity",
                   test_pf_identifies_as_modern_virtio_net);
    qtest_add_func("/nswitch-nic/properties/defaults",
                   test_properties_have_defaults);
    qtest_add_func("/nswitch-nic/properties/vfs-without-ari",
                   test_too_many_vfs_without_ari_is_refused);
    qtest_add_func("/nswitch-nic/properties/vfs-with-ari",
                   test_too_many_vfs_with_ari_is_refused);
    qtest_add_func("/nswitch-nic/properties/oui-malformed",
                   test_malformed_oui_is_refused);
    qtest_add_func("/nswitch-nic/properties/oui-multicast",
                   test_multicast_oui_is_refused);

    return g_test_run();
}
