# Install rules for files that live outside the library folders: the systemd units
# (systemd/), the example configuration (config/jejak.toml) and the authority. Two install
# components map onto the two Debian packages (debian/rules):
#   the default component and "jejak"  -> package jejak (device: agent, table, units, config)
#   "authority"                       -> package jejak-authority (the pilot key server)
# A file is installed only when it exists in the tree, so this file never needs editing when
# one lands; scripts/test-package says which expected files are absent from the packages.
include(GNUInstallDirs)

# Units go where this system's systemd looks (/lib/systemd/system on Debian 12).
pkg_get_variable(JEJAK_SYSTEMD_UNIT_DIR systemd systemdsystemunitdir)
if(NOT JEJAK_SYSTEMD_UNIT_DIR)
    set(JEJAK_SYSTEMD_UNIT_DIR /lib/systemd/system)
endif()

foreach(unit jejak.service jejak-check.service jejak-check.timer)
    if(EXISTS ${PROJECT_SOURCE_DIR}/systemd/${unit})
        install(FILES ${PROJECT_SOURCE_DIR}/systemd/${unit}
            DESTINATION ${JEJAK_SYSTEMD_UNIT_DIR} COMPONENT jejak)
    endif()
endforeach()

# /etc/jejak/jejak.toml (a conffile in the package: everything under /etc is).
if(EXISTS ${PROJECT_SOURCE_DIR}/config/jejak.toml)
    install(FILES ${PROJECT_SOURCE_DIR}/config/jejak.toml
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/jejak COMPONENT jejak)
endif()

# The authority: its units, its defaults file and its executable (agent/cli/authority). A
# server never goes into the device package.
foreach(unit jejak-authority.service jejak-authority-export.service jejak-authority-export.timer)
    install(FILES ${PROJECT_SOURCE_DIR}/systemd/${unit}
        DESTINATION ${JEJAK_SYSTEMD_UNIT_DIR} COMPONENT authority)
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/config/jejak-authority.default
    DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/default RENAME jejak-authority
    COMPONENT authority)
install(TARGETS jejak-authority RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT authority)
