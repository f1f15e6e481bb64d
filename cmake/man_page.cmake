# jejak_man_page(PAGE <file.N> TARGET <exe> [ARGS <arg>...] [COMPONENT <install component>]):
# a man page generated at build time by running the built executable `<exe> ARGS...` and
# keeping its standard output as ${PROJECT_BINARY_DIR}/man/<file.N> (jejak.1 and
# jejak-authority.1 come from `--man-page`: the pages are generated from the very CLI
# definitions the binaries parse with, platform/cli/cli_man.h). Installed into
# ${CMAKE_INSTALL_MANDIR}/man<N>; its target is <file>_man with the section dropped and
# non-identifier characters as '_' (jejak.1: jejak_man; jejak.toml.5: jejak_toml_man).
# Another page (e.g. section 5 from the config schema) is one more call with its own PAGE,
# TARGET and ARGS. Cross-compiled, the executable runs through CMAKE_CROSSCOMPILING_EMULATOR
# (a wrapper script named like the executable, in ${PROJECT_BINARY_DIR}/emulated/, which tests
# also use to run it from a shell), so the arm64 packages carry the same pages; without an
# emulator there is no page.
include(GNUInstallDirs)

# The program as this machine can run it: the target's file, or its emulator wrapper.
function(jejak_host_runnable target out_var)
    if(NOT CMAKE_CROSSCOMPILING)
        set(${out_var} $<TARGET_FILE:${target}> PARENT_SCOPE)
        return()
    endif()
    set(wrapper ${PROJECT_BINARY_DIR}/emulated/${target})
    get_property(wrapped GLOBAL PROPERTY JEJAK_EMULATED_WRAPPERS)
    if(NOT target IN_LIST wrapped)
        list(JOIN CMAKE_CROSSCOMPILING_EMULATOR " " emulator)
        file(GENERATE OUTPUT ${wrapper}
            CONTENT "#!/bin/sh\nexec ${emulator} $<TARGET_FILE:${target}> \"$@\"\n"
            FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                             WORLD_READ WORLD_EXECUTE)
        set_property(GLOBAL APPEND PROPERTY JEJAK_EMULATED_WRAPPERS ${target})
    endif()
    set(${out_var} ${wrapper} PARENT_SCOPE)
endfunction()

function(jejak_man_page)
    cmake_parse_arguments(M "" "PAGE;TARGET;COMPONENT" "ARGS" ${ARGN})
    if(CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
        message(STATUS "no emulator to run ${M_TARGET}: no ${M_PAGE} man page")
        return()
    endif()
    if(NOT M_PAGE MATCHES "^(.+)\\.([1-9])$")
        message(FATAL_ERROR "jejak_man_page: PAGE ${M_PAGE} is not NAME.SECTION")
    endif()
    set(section ${CMAKE_MATCH_2})
    string(MAKE_C_IDENTIFIER ${CMAKE_MATCH_1} custom)
    jejak_host_runnable(${M_TARGET} program)
    set(page ${PROJECT_BINARY_DIR}/man/${M_PAGE})
    add_custom_command(OUTPUT ${page}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
        COMMAND ${CMAKE_COMMAND} -DOUTPUT=${page} -P ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
                -- ${program} ${M_ARGS}
        DEPENDS ${M_TARGET} ${PROJECT_SOURCE_DIR}/cmake/run_to_file.cmake
        COMMENT "Generating the ${M_PAGE} man page"
        VERBATIM)
    add_custom_target(${custom}_man ALL DEPENDS ${page})
    if(M_COMPONENT)
        install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section}
            COMPONENT ${M_COMPONENT})
    else()
        install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
    endif()
endfunction()
