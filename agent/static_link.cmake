# postura_link_static(TARGET LIBRARY...): links TARGET against the project's static
# LIBRARYs and the static archives (Debian's lib*.a) of every library they use, with the
# C++ runtime linked in too. TARGET must not also link those LIBRARYs as targets, or their
# shared dependencies would come along.

# The archives the agent's code reaches, directly or through gRPC, OpenSSL, glog and
# libxml2 (OpenSCAP results; Debian builds it with ICU and liblzma); all Abseil archives
# are offered and the linker takes only what is used.
set(POSTURA_STATIC_ARCHIVE_NAMES
    grpc++ grpc gpr upb address_sorting cares re2 protobuf ssl crypto z yaml-cpp glog gflags
    xml2 icui18n icuuc icudata lzma)

function(postura_find_static_archives out_var)
  set(archives "")
  foreach(name IN LISTS POSTURA_STATIC_ARCHIVE_NAMES)
    find_library(POSTURA_STATIC_${name} NAMES lib${name}.a)
    if(NOT POSTURA_STATIC_${name})
      message(FATAL_ERROR "lib${name}.a not found: install its Debian -dev package, or "
                          "configure with -DPOSTURA_STATIC_AGENT=OFF")
    endif()
    list(APPEND archives ${POSTURA_STATIC_${name}})
  endforeach()
  get_filename_component(library_dir ${POSTURA_STATIC_grpc} DIRECTORY)
  file(GLOB absl_archives ${library_dir}/libabsl_*.a)
  list(APPEND archives ${absl_archives})
  set(${out_var} ${archives} PARENT_SCOPE)
endfunction()

# Code layout. Each code page the agent touches, at start-up or later, stays in its RSS
# together with its neighbours that the kernel maps around it (fault-around). lld 16
# (Debian: lld-16) can place the functions the agent runs together, listed in
# postura-agent.order (recorded by bench/make_agent_order.sh), which took the agent's
# mapped code from 10.2 to 6.4 MiB. Without it the GNU linker links the same code unsorted.
find_program(POSTURA_LLD ld.lld PATHS /usr/lib/llvm-16/bin NO_DEFAULT_PATH)

function(postura_order_code target)
  set(order_file ${CMAKE_CURRENT_SOURCE_DIR}/postura-agent.order)
  if(NOT POSTURA_LLD)
    message(WARNING "lld-16 not found: postura-agent is linked without its code layout and "
                    "takes about 4 MiB more memory")
    return()
  endif()
  get_filename_component(lld_dir ${POSTURA_LLD} DIRECTORY)
  target_link_options(${target} PRIVATE -B${lld_dir}/ -fuse-ld=lld
                      -Wl,--symbol-ordering-file=${order_file} -Wl,--no-warn-symbol-ordering)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${order_file})
endfunction()

function(postura_link_static target)
  postura_find_static_archives(archives)
  set(project_archives "")
  foreach(library IN LISTS ARGN)
    list(APPEND project_archives $<TARGET_FILE:${library}>)
  endforeach()
  add_dependencies(${target} ${ARGN})
  # One group: the archives refer to each other in every direction. glog unwinds with
  # libunwind, which stays shared because its static archive clashes with libgcc's.
  # Packed relative relocations (DT_RELR, glibc 2.36) shrink the table the loader reads
  # at start-up from 0.9 MiB to 10 KiB.
  target_link_libraries(${target} PRIVATE
    -Wl,--start-group ${project_archives} ${archives} -Wl,--end-group
    -static-libstdc++ -static-libgcc -Wl,-z,pack-relative-relocs unwind -pthread dl m rt)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${project_archives})
  postura_order_code(${target})
endfunction()
