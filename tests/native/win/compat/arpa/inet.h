/* POSIX <arpa/inet.h> for the mingw-w64 cross build of the test suite only:
 * inet_pton and AF_INET/AF_INET6 come from Winsock (ws2_32, linked by
 * tests/native/CMakeLists.txt). inet_pton needs no WSAStartup. */
#pragma once
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
