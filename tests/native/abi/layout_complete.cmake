# ctest abi_layout_complete: every struct declared in the public headers, and
# every member of it in declaration order, is in the layout table that
# fw_abi_layout wrote (the hand-maintained list in tests/native/abi/layout.c).
# So a struct or a field added to native/include/fw/ cannot be left out of the
# layout checks, not even one hidden in a struct's trailing padding.
#
#   cmake -DLAYOUT=<fw-abi-layout.txt> -DHEADERS=<native/include/fw> -P layout_complete.cmake
cmake_minimum_required(VERSION 3.20)
if(NOT LAYOUT OR NOT HEADERS)
  message(FATAL_ERROR "usage: cmake -DLAYOUT=<file> -DHEADERS=<dir> -P layout_complete.cmake")
endif()

# The declarations: struct name -> member names, from the headers' text.
set(declared "")
file(GLOB headers "${HEADERS}/*.h")
list(SORT headers)
foreach(header IN LISTS headers)
  file(READ "${header}" text)
  string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" " " text "${text}") # block comments
  string(REGEX REPLACE "//[^\n]*" " " text "${text}")                   # line comments
  string(REGEX REPLACE "\\[[^]]*\\]" "" text "${text}")                 # array bounds
  string(REPLACE ";" "`" text "${text}") # a ';' would split the list of matches below
  string(REGEX MATCHALL "struct[ \t\r\n]+[A-Za-z_][A-Za-z0-9_]*[ \t\r\n]*{[^}]*}" bodies "${text}")
  foreach(body IN LISTS bodies)
    string(REGEX REPLACE "^struct[ \t\r\n]+([A-Za-z0-9_]+).*" "\\1" name "${body}")
    string(REGEX REPLACE "^[^{]*{(.*)}$" "\\1" members "${body}")
    set(fields "")
    string(REPLACE "," "`" members "${members}")
    string(REPLACE "`" ";" members "${members}")
    foreach(decl IN LISTS members)
      string(STRIP "${decl}" decl)
      if(decl STREQUAL "")
        continue()
      endif()
      string(REGEX MATCH "([A-Za-z_][A-Za-z0-9_]*)$" _ "${decl}")
      list(APPEND fields "${CMAKE_MATCH_1}")
    endforeach()
    list(APPEND declared "${name}")
    set(declared_${name} "${fields}")
  endforeach()
endforeach()
list(LENGTH declared n_declared)
if(n_declared LESS 10)
  message(FATAL_ERROR "found only ${n_declared} structs in ${HEADERS}: the header parser is broken")
endif()

# The table: struct <name> ...; field <struct> <name> ...
file(STRINGS "${LAYOUT}" lines REGEX "^(struct|field) ")
set(listed "")
foreach(line IN LISTS lines)
  string(REPLACE " " ";" cols "${line}")
  list(GET cols 0 kind)
  list(GET cols 1 name)
  if(kind STREQUAL "struct")
    list(APPEND listed "${name}")
    set(listed_${name} "")
  else()
    list(GET cols 2 field)
    list(APPEND listed_${name} "${field}")
  endif()
endforeach()

set(problems "")
foreach(name IN LISTS declared)
  if(NOT name IN_LIST listed)
    string(APPEND problems "\n  struct ${name} (members: ${declared_${name}}) is not listed")
  elseif(NOT "${declared_${name}}" STREQUAL "${listed_${name}}")
    string(APPEND problems "\n  ${name}: the header declares ${declared_${name}}\n    the list has           ${listed_${name}}")
  endif()
endforeach()
foreach(name IN LISTS listed)
  if(NOT name IN_LIST declared)
    string(APPEND problems "\n  ${name} is listed but not declared in ${HEADERS}")
  endif()
endforeach()
if(problems)
  message(FATAL_ERROR "the struct list in tests/native/abi/layout.c does not match native/include/fw/:${problems}")
endif()
message(STATUS "abi_layout_complete: ${n_declared} structs, every member listed")
