// Calendar dates as day numbers: known days, leap years, and the dates that do not exist.
#include "platform/base/civil_date.h"

#include <doctest/doctest.h>

namespace jejak {

TEST_CASE("civil dates: day numbers of known days") {
    CHECK(DaysFromCivil(1970, 1, 1) == 0);
    CHECK(DaysFromCivil(1970, 1, 2) == 1);
    CHECK(DaysFromCivil(2000, 3, 1) == 11017);
    CHECK(DaysFromCivil(2020, 4, 2) == 18354);    // the GAEN test vector's day (ENIN 2642976 / 144)
    CHECK(DaysFromCivil(2026, 11, 27) == 20784);  // 1795737600 / 86400
    CHECK(DaysFromCivil(2024, 3, 1) - DaysFromCivil(2024, 2, 28) == 2);  // leap year
    CHECK(DaysFromCivil(2100, 3, 1) - DaysFromCivil(2100, 2, 28) == 1);  // century, not leap
    CHECK(DaysFromCivil(2000, 3, 1) - DaysFromCivil(2000, 2, 28) == 2);  // 400-year leap
}

TEST_CASE("civil dates: which dates exist") {
    CHECK(IsValidCivilDate(2024, 2, 29));
    CHECK_FALSE(IsValidCivilDate(2023, 2, 29));
    CHECK_FALSE(IsValidCivilDate(2100, 2, 29));
    CHECK(IsValidCivilDate(2000, 2, 29));
    CHECK(IsValidCivilDate(2026, 12, 31));
    CHECK_FALSE(IsValidCivilDate(2026, 4, 31));
    CHECK_FALSE(IsValidCivilDate(2026, 13, 1));
    CHECK_FALSE(IsValidCivilDate(2026, 0, 1));
    CHECK_FALSE(IsValidCivilDate(2026, 1, 0));
}

}  // namespace jejak

namespace jejak {

TEST_CASE("civil dates: Unix seconds as ISO 8601 UTC to the second") {
    CHECK(IsoUtcSeconds(0) == "1970-01-01T00:00:00Z");
    CHECK(IsoUtcSeconds(1795737600) == "2026-11-27T00:00:00Z");
    CHECK(IsoUtcSeconds(1795737600 + 36180) == "2026-11-27T10:03:00Z");
    CHECK(IsoUtcSeconds(951782400) == "2000-02-29T00:00:00Z");  // a leap day
}

}  // namespace jejak
