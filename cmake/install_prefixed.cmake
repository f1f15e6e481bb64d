# Runs at install time (cmake/install.cmake), when CMAKE_INSTALL_PREFIX is the prefix of
# `cmake --install --prefix P` (DESTDIR is added by file(INSTALL) itself). Installs the units
# JEJAK_UNITS from systemd/ into JEJAK_UNIT_DIR and the files of JEJAK_ETC (pairs: source
# in the tree, destination under <etc>), after rewriting the package paths the units name
# (/usr/bin/jejak..., /etc/jejak/, /etc/default/) to this prefix's.
if(IS_ABSOLUTE "${JEJAK_BINDIR}")
    set(bindir "${JEJAK_BINDIR}")
else()
    set(bindir "${CMAKE_INSTALL_PREFIX}/${JEJAK_BINDIR}")
endif()
# GNUInstallDirs' rule: the prefix /usr keeps its configuration in /etc.
if(IS_ABSOLUTE "${JEJAK_SYSCONFDIR}")
    set(etc "${JEJAK_SYSCONFDIR}")
elseif(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(etc "/etc")
else()
    set(etc "${CMAKE_INSTALL_PREFIX}/${JEJAK_SYSCONFDIR}")
endif()
if(IS_ABSOLUTE "${JEJAK_UNIT_DIR}")
    set(unit_dir "${JEJAK_UNIT_DIR}")
else()
    set(unit_dir "${CMAKE_INSTALL_PREFIX}/${JEJAK_UNIT_DIR}")
endif()

file(MAKE_DIRECTORY "${JEJAK_GEN_DIR}")
foreach(unit ${JEJAK_UNITS})
    file(READ "${JEJAK_SOURCE_DIR}/systemd/${unit}" text)
    string(REPLACE "/usr/bin/jejak" "${bindir}/jejak" text "${text}")
    string(REPLACE "/etc/jejak/" "${etc}/jejak/" text "${text}")
    string(REPLACE "/etc/default/" "${etc}/default/" text "${text}")
    file(WRITE "${JEJAK_GEN_DIR}/${unit}" "${text}")
    file(INSTALL DESTINATION "${unit_dir}" TYPE FILE FILES "${JEJAK_GEN_DIR}/${unit}")
endforeach()

list(LENGTH JEJAK_ETC count)
if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE 0 ${last} 2)
        math(EXPR j "${i} + 1")
        list(GET JEJAK_ETC ${i} source)
        list(GET JEJAK_ETC ${j} dest)
        get_filename_component(dest_dir "${etc}/${dest}" DIRECTORY)
        get_filename_component(dest_name "${dest}" NAME)
        file(INSTALL DESTINATION "${dest_dir}" TYPE FILE RENAME "${dest_name}"
            FILES "${JEJAK_SOURCE_DIR}/${source}")
    endforeach()
endif()
