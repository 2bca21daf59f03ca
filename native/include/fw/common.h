/*
 * fw/common.h - shared definitions of the fwcore C ABI.
 *
 * Conventions (see docs/design.md):
 *  - Fallible functions return int: FW_OK (0) or a negative FW_E* code.
 *    Iterators return FW_ITEROVER when there is nothing more.
 *  - Error detail is out of band: fw_error_last() describes the most recent
 *    failure on the calling thread. It is never NULL and never allocates.
 *  - Constructors take `out` first and set *out = NULL before anything can fail.
 *    Destructors are fw_<object>_free, return void and accept NULL.
 *  - Strings are UTF-8 and NUL-terminated. Pointers handed out by the library
 *    are borrowed; each declaration says how long they stay valid.
 *  - No function keeps global mutable state: distinct handles may be used from
 *    distinct threads at once. One handle must not be used by two threads at once.
 */
#ifndef FW_COMMON_H
#define FW_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define FW_BEGIN_DECL extern "C" {
#define FW_END_DECL }
#else
#define FW_BEGIN_DECL
#define FW_END_DECL
#endif

#if defined(_WIN32)
#if defined(FW_BUILDING)
#define FW_API(type) __declspec(dllexport) type __cdecl
#else
#define FW_API(type) __declspec(dllimport) type __cdecl
#endif
#elif defined(__GNUC__)
#define FW_API(type) __attribute__((visibility("default"))) type
#else
#define FW_API(type) type
#endif

#define FW_VERSION_MAJOR 0
#define FW_VERSION_MINOR 1
#define FW_VERSION_PATCH 0
#define FW_VERSION "0.1.0"
#define FW_VERSION_NUMBER (FW_VERSION_MAJOR * 10000 + FW_VERSION_MINOR * 100 + FW_VERSION_PATCH)

/* Bumped whenever a struct layout or a function signature changes.
 * The PowerShell module refuses to run against a library with another value. */
#define FW_ABI_VERSION 3

FW_BEGIN_DECL

/* Status codes. */
typedef enum fw_status {
    FW_OK = 0,
    FW_ERROR = -1,     /* unexpected internal failure; see fw_error_last() */
    FW_EINVALID = -2,  /* an argument or a value given to the library is invalid */
    FW_ENOTFOUND = -3, /* file or object does not exist */
    FW_EACCESS = -4,   /* permission denied */
    FW_ENOMEM = -5,    /* out of memory */
    FW_EBUFS = -6,     /* caller's buffer too small */
    FW_EIO = -7,       /* read or map failure */
    FW_EFORMAT = -8,   /* input is not in the expected format (e.g. a rule string) */
    FW_ECONFLICT = -9, /* resource is in use or changed underneath (e.g. bookmark locked) */
    FW_ITEROVER = -31  /* iteration finished; not an error */
} fw_status;

/* Where an error came from. */
typedef enum fw_error_class {
    FW_ERRCLASS_NONE = 0,
    FW_ERRCLASS_ARGUMENT = 1,
    FW_ERRCLASS_OS = 2,
    FW_ERRCLASS_FORMAT = 3,
    FW_ERRCLASS_MEMORY = 4,
    FW_ERRCLASS_INTERNAL = 5
} fw_error_class;

typedef struct fw_error {
    const char *message; /* never NULL; "" when no error was recorded */
    int code;            /* the fw_status that was returned */
    int klass;           /* fw_error_class */
    int os_error;        /* errno or GetLastError() value when klass is FW_ERRCLASS_OS, else 0 */
    int64_t line;        /* 1-based line/record where relevant, else 0 */
    int64_t column;      /* 1-based byte column/offset where relevant, else 0 */
} fw_error;

/* Most recent error on the calling thread. Valid until the next fwcore call on
 * that thread. Never NULL. */
FW_API(const fw_error *) fw_error_last(void);

/* Forget the calling thread's last error. */
FW_API(void) fw_error_clear(void);

/* Static text for a status code ("invalid argument", ...). Never NULL. */
FW_API(const char *) fw_errstr(int code);

/* Library version, e.g. "0.1.0", and FW_ABI_VERSION it was built with. */
FW_API(const char *) fw_version(void);
FW_API(int) fw_abi_version(void);

/* An IP address as it crosses the ABI. */
typedef enum fw_family { FW_AF_NONE = 0, FW_AF_INET = 4, FW_AF_INET6 = 6 } fw_family;

typedef struct fw_addr {
    uint8_t family;      /* fw_family; FW_AF_NONE means absent ('-') */
    uint8_t reserved[3];
    uint8_t bytes[16];   /* network byte order; IPv4 uses bytes[0..3] */
} fw_addr;

/* Direction as the firewall sees it. */
typedef enum fw_direction { FW_DIR_ANY = 0, FW_DIR_INBOUND = 1, FW_DIR_OUTBOUND = 2 } fw_direction;

/* Profile bit mask, as in the firewall's own API (Domain=1, Private=2, Public=4). */
typedef enum fw_profile {
    FW_PROFILE_UNKNOWN = 0,
    FW_PROFILE_DOMAIN = 1,
    FW_PROFILE_PRIVATE = 2,
    FW_PROFILE_PUBLIC = 4,
    FW_PROFILE_ALL = 7
} fw_profile;

FW_END_DECL

#endif /* FW_COMMON_H */
