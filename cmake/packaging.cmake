# Debian packages (docs/install.md): `cmake --build build --target package` makes
# postura-collector, postura-agent and postura-cli .debs with CPack, one component each.
# Binaries go to /usr/bin, configurations to /etc/postura (conffiles), units to
# /lib/systemd/system; the maintainer scripts in deploy/debian/ create each daemon's system
# user and data directory. dpkg-shlibdeps computes the library dependencies.
# Also registers the tests of the packages: tests/package_install_test.sh (ctest label
# `package`), tests/container_test.sh and tests/systemd_units_test.sh (label `container`).

set(POSTURA_DEB_DIR ${CMAKE_SOURCE_DIR}/deploy/debian)

install(TARGETS postura-collector RUNTIME DESTINATION bin COMPONENT collector)
install(TARGETS postura-agent RUNTIME DESTINATION bin COMPONENT agent)
install(TARGETS postura RUNTIME DESTINATION bin COMPONENT cli)

# Configuration: conffiles, listed in deploy/debian/*/conffiles. The collector's example
# already names the packaged paths; the agent's points at the packaged check pack.
install(FILES ${CMAKE_SOURCE_DIR}/deploy/collector.example.yaml DESTINATION /etc/postura
        RENAME collector.yaml PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        COMPONENT collector)
install(FILES ${POSTURA_DEB_DIR}/agent.yaml DESTINATION /etc/postura
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ COMPONENT agent)
# The built-in pack follows the package's version, so it is not a conffile; operators put
# their own packs in /etc/postura/packs.
install(FILES ${CMAKE_SOURCE_DIR}/deploy/packs/debian-server.yaml
        DESTINATION share/postura/packs COMPONENT agent)

install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/postura-collector.service
        DESTINATION /lib/systemd/system COMPONENT collector)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/postura-agent.service
        DESTINATION /lib/systemd/system COMPONENT agent)

# Each package's /usr/share/doc: copyright, a compressed changelog, and the operator docs.
# The version has no Debian revision (a native package), hence changelog.gz.
execute_process(COMMAND gzip -9nc ${POSTURA_DEB_DIR}/changelog
                OUTPUT_FILE ${CMAKE_BINARY_DIR}/changelog.gz COMMAND_ERROR_IS_FATAL ANY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${POSTURA_DEB_DIR}/changelog)
foreach(component IN ITEMS collector agent cli)
  install(FILES ${POSTURA_DEB_DIR}/copyright ${CMAKE_BINARY_DIR}/changelog.gz
          DESTINATION share/doc/postura-${component} COMPONENT ${component})
endforeach()
install(FILES ${CMAKE_SOURCE_DIR}/docs/install.md ${CMAKE_SOURCE_DIR}/docs/operators.md
              ${CMAKE_SOURCE_DIR}/docs/security.md
        DESTINATION share/doc/postura-collector COMPONENT collector)
install(FILES ${CMAKE_SOURCE_DIR}/docs/install.md ${CMAKE_SOURCE_DIR}/docs/agent-checks.md
              ${CMAKE_SOURCE_DIR}/docs/checks-debian.md
        DESTINATION share/doc/postura-agent COMPONENT agent)
install(FILES ${CMAKE_SOURCE_DIR}/docs/cli.md DESTINATION share/doc/postura-cli COMPONENT cli)
# The lintian tags the agent keeps on purpose, each explained (docs/install.md, "lintian").
install(FILES ${POSTURA_DEB_DIR}/agent/lintian-overrides DESTINATION share/lintian/overrides
        RENAME postura-agent COMPONENT agent)

# Manual pages, made from each program's --help by help2man (deploy/install-deps.sh
# installs it); without help2man the packages have none, and lintian says so. Not in
# sanitizer or fuzzing builds, whose programs are never packaged.
find_program(HELP2MAN help2man)
if(HELP2MAN AND NOT POSTURA_SANITIZE AND NOT POSTURA_FUZZ)
  set(man_pages "")
  foreach(entry IN ITEMS "postura-collector|collector|Postura collector: evidence ingest and live scores"
                         "postura-agent|agent|Postura agent: control evidence from this host"
                         "postura|cli|Postura command-line client")
    string(REPLACE "|" ";" entry "${entry}")
    list(GET entry 0 program)
    list(GET entry 1 component)
    list(GET entry 2 summary)
    set(page ${CMAKE_BINARY_DIR}/man/${program}.1.gz)
    add_custom_command(
      OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND ${HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
              --name=${summary} --include=${POSTURA_DEB_DIR}/manpage.h2m
              --output=${CMAKE_BINARY_DIR}/man/${program}.1 $<TARGET_FILE:${program}>
      COMMAND gzip -9nf ${CMAKE_BINARY_DIR}/man/${program}.1
      DEPENDS ${program} ${POSTURA_DEB_DIR}/manpage.h2m
      COMMENT "Manual page of ${program}" VERBATIM)
    list(APPEND man_pages ${page})
    install(FILES ${page} DESTINATION share/man/man1 COMPONENT ${component})
  endforeach()
  add_custom_target(man_pages ALL DEPENDS ${man_pages})
else()
  message(STATUS "help2man not found: the packages will have no manual pages")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME postura)
set(CPACK_PACKAGE_VENDOR "Postura")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL collector agent cli)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Postura maintainers <postura@example.org>")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# The first line of each description is the synopsis; CPack indents the lines after it.
# Files root:root, directories 0755, whatever the umask of the checkout.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_COLLECTOR_PACKAGE_NAME postura-collector)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_COLLECTOR_DESCRIPTION
    "Postura collector: evidence ingest and live CyberTOMP scores
The collector receives control evidence from Postura agents over gRPC (TLS),
keeps it in an embedded RocksDB store, and keeps every business asset's
CyberTOMP score live. It serves the JSON API, live events, the web dashboard
and Prometheus metrics over HTTPS. Runs as the system user postura.")
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_CONTROL_EXTRA
    ${POSTURA_DEB_DIR}/collector/conffiles ${POSTURA_DEB_DIR}/collector/postinst
    ${POSTURA_DEB_DIR}/collector/prerm ${POSTURA_DEB_DIR}/collector/postrm)

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME postura-agent)
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_AGENT_DESCRIPTION
    "Postura agent: control evidence from this host
The agent runs check packs (a built-in Debian server pack included) against
this host's files, processes and sockets, spools the results, and streams
them to a Postura collector over gRPC (TLS). It runs as the system user
postura-agent, reading the system read-only with CAP_DAC_READ_SEARCH.")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA
    ${POSTURA_DEB_DIR}/agent/conffiles ${POSTURA_DEB_DIR}/agent/postinst
    ${POSTURA_DEB_DIR}/agent/prerm ${POSTURA_DEB_DIR}/agent/postrm)

set(CPACK_DEBIAN_CLI_PACKAGE_NAME postura-cli)
set(CPACK_DEBIAN_CLI_DESCRIPTION
    "Postura command-line client
The postura command reads live and historical CyberTOMP scores from a
Postura collector, manages its registry, targets and tokens, plans
remediation, and scores FLECO case files offline.")

include(CPack)

# The install test (tests/package_install_test.sh): installs the packages into this
# machine with dpkg, so it runs only where that is wanted (CI, as root).
add_test(NAME package_install
         COMMAND ${CMAKE_SOURCE_DIR}/tests/package_install_test.sh ${CMAKE_BINARY_DIR})
set_tests_properties(package_install PROPERTIES LABELS package RUN_SERIAL ON TIMEOUT 600
                                                 SKIP_RETURN_CODE 77)

# The container test (tests/container_test.sh): builds deploy/Containerfile from the
# packages with podman and needs the network, so it runs only with POSTURA_CONTAINER_TEST=1.
add_test(NAME container_image
         COMMAND ${CMAKE_SOURCE_DIR}/tests/container_test.sh ${CMAKE_BINARY_DIR})
set_tests_properties(container_image PROPERTIES LABELS container RUN_SERIAL ON TIMEOUT 900
                                                SKIP_RETURN_CODE 77)
# The units under systemd in a container (tests/systemd_units_test.sh), on the same terms.
add_test(NAME systemd_units
         COMMAND ${CMAKE_SOURCE_DIR}/tests/systemd_units_test.sh ${CMAKE_BINARY_DIR})
set_tests_properties(systemd_units PROPERTIES LABELS container RUN_SERIAL ON TIMEOUT 900
                                              SKIP_RETURN_CODE 77)
