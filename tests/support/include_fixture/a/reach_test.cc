// A planted reach into another test folder: check_test_includes.sh must name it (the
// jejak_test_includes_control test). Never compiled.
#include "tests/b/other_util.h"
