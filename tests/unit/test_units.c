#include "unit.h"
#include "util/units.h"

TEST(ram_units)
{
	struct err e = ERR_INIT;
	uint64_t b;
	CHECK(units_parse_ram("512m", &b, &e) == 0 && b == 512ULL << 20);
	CHECK(units_parse_ram("1g", &b, &e) == 0 && b == 1ULL << 30);
	CHECK(units_parse_ram("1GB", &b, &e) == 0 && b == 1ULL << 30);
	CHECK(units_parse_ram("2GiB", &b, &e) == 0 && b == 2ULL << 30);
	CHECK(units_parse_ram("1.5g", &b, &e) == 0 && b == 3ULL << 29);
	CHECK(units_parse_ram("1024", &b, &e) == 0 && b == 1024);
	CHECK(units_parse_ram("64k", &b, &e) == 0 && b == 64 << 10);
	CHECK(units_parse_ram("10b", &b, &e) == 0 && b == 10);
}

TEST(ram_rejects)
{
	struct err e = ERR_INIT;
	uint64_t b;
	CHECK(units_parse_ram("", &b, &e) < 0);
	CHECK(units_parse_ram("lots", &b, &e) < 0);
	CHECK(units_parse_ram("-1m", &b, &e) < 0);
	CHECK(units_parse_ram("1x", &b, &e) < 0);
	CHECK(units_parse_ram("1mm", &b, &e) < 0);
	CHECK(units_parse_ram("99999999999999999999t", &b, &e) < 0);
	CHECK(e.kind == ERR_USAGE);
	CHECK(strstr(e.msg, "invalid size") != NULL);
}

TEST(cpus)
{
	struct err e = ERR_INIT;
	unsigned m;
	CHECK(units_parse_cpus("1", &m, &e) == 0 && m == 1000);
	CHECK(units_parse_cpus("1.5", &m, &e) == 0 && m == 1500);
	CHECK(units_parse_cpus("0.25", &m, &e) == 0 && m == 250);
	CHECK(units_parse_cpus("0", &m, &e) < 0);
	CHECK(units_parse_cpus("-2", &m, &e) < 0);
	CHECK(units_parse_cpus("two", &m, &e) < 0);
	CHECK(units_parse_cpus("nan", &m, &e) < 0);
	CHECK(units_parse_cpus("", &m, &e) < 0);
}

int main(void)
{
	RUN(ram_units);
	RUN(ram_rejects);
	RUN(cpus);
	return unit_done();
}
