# Install rules for files that live outside the library folders: the systemd units
# (systemd/), the example configuration (config/jejak.toml) and the authority. Two install
# components map onto the two Debian packages (debian/rules):
#   the default component and "jejak"  -> package jejak (device: agent, table, units, config)
#   "authority"                       -> package jejak-authority (the pilot key server)
# Everything goes under the install prefix, also when `cmake --install build --prefix P`
# chooses another one than the configure step (tests/install/check_prefix.sh proves it):
#   units     SYSTEMD_UNIT_DIR (default lib/systemd/system under the prefix; the packages
#             pass /lib/systemd/system, where Debian 12's systemd looks)
#   config    <etc>/jejak/jejak.toml, <etc>/default/jejak-authority, where <etc> is /etc for
#             the prefix /usr (the packages) and <prefix>/etc otherwise, as GNUInstallDirs
#             says; `jejak` reads <etc>/jejak/jejak.toml of the configure step's prefix by
#             default (platform/base/install_paths.cc)
# and the units' ExecStart, EnvironmentFile and --config lines name the installed binaries and
# files (cmake/install_prefixed.cmake rewrites the package paths of systemd/ at install time).
# The .deb packages (scripts/package) remain the supported way to install on a device.
include(GNUInstallDirs)

set(SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where systemd units are installed (relative: under the install prefix)")

# jejak_install_prefixed(COMPONENT <c> UNITS <unit>... ETC <source> <dest under etc>...):
# install-time rewrite and installation (see cmake/install_prefixed.cmake).
function(jejak_install_prefixed)
    cmake_parse_arguments(P "" "COMPONENT" "UNITS;ETC" ${ARGN})
    install(CODE "
        set(JEJAK_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
        set(JEJAK_GEN_DIR \"${PROJECT_BINARY_DIR}/install-generated\")
        set(JEJAK_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
        set(JEJAK_SYSCONFDIR \"${CMAKE_INSTALL_SYSCONFDIR}\")
        set(JEJAK_UNIT_DIR \"${SYSTEMD_UNIT_DIR}\")
        set(JEJAK_UNITS \"${P_UNITS}\")
        set(JEJAK_ETC \"${P_ETC}\")
        include(\"${PROJECT_SOURCE_DIR}/cmake/install_prefixed.cmake\")"
        COMPONENT ${P_COMPONENT})
endfunction()

jejak_install_prefixed(COMPONENT jejak
    UNITS jejak.service jejak-check.service jejak-check.timer
    # A conffile in the package (everything under /etc is).
    ETC config/jejak.toml jejak/jejak.toml)

# The authority: its units, its defaults file and its executable (authority/cli). A
# server never goes into the device package.
jejak_install_prefixed(COMPONENT authority
    UNITS jejak-authority.service jejak-authority-export.service jejak-authority-export.timer
    ETC config/jejak-authority.default default/jejak-authority)
install(TARGETS jejak-authority RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT authority)
