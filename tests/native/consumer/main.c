/* A C user of an installed fwcore: the headers from the package's include
 * directory, the library through Fw::fwcore. */
#include <fw/fw.h>

#include <stdio.h>
#include <string.h>

int main(void) {
    fw_filter *filter = NULL;
    int rc;
    if (fw_abi_version() != FW_ABI_VERSION) {
        fprintf(stderr, "ABI %d, header says %d\n", fw_abi_version(), FW_ABI_VERSION);
        return 1;
    }
    if (strcmp(fw_version(), FW_VERSION) != 0 || strcmp(fw_version(), FW_PACKAGE_VERSION) != 0) {
        fprintf(stderr, "library %s, header %s, package %s\n", fw_version(), FW_VERSION, FW_PACKAGE_VERSION);
        return 1;
    }
    if (fw_filter_new(&filter) != FW_OK) return 1;
    rc = fw_filter_add(filter, FW_FILTER_PROTOCOL, "no-such-protocol");
    fw_filter_free(filter);
    if (rc != FW_EINVALID || strstr(fw_error_last()->message, "no-such-protocol") == NULL) {
        fprintf(stderr, "expected FW_EINVALID naming the value, got %d: %s\n", rc, fw_error_last()->message);
        return 1;
    }
    printf("fw_consumer_c: fwcore %s, ABI %d\n", fw_version(), fw_abi_version());
    return 0;
}
