package importer_test

import (
	"strings"
	"testing"

	"github.com/tagflow/tagflow/catalog"
	"github.com/tagflow/tagflow/catalog/importer"
)

func TestOpenLineagePath(t *testing.T) {
	cases := []struct{ ns, name, want, err string }{
		{"food_delivery", "public.customers", "food_delivery/public/customers", ""},
		{"hive://localhost:9083", "test.t1", "hive/localhost_9083/test/t1", ""},
		{"s3://test-bucket", "/iceberg_warehouse/some-database/people", "s3/test-bucket/iceberg_warehouse/some-database/people", ""},
		{"postgres://db.example.com:5432/shop", "public.orders", "postgres/db.example.com_5432/shop/public/orders", ""},
		{"bigquery", "proj.ds.table", "bigquery/proj/ds/table", ""},
		{"file", "/data/file.parquet", "file/data/file/parquet", ""},
		{"gs://bucket//a", "x", "gs/bucket/a/x", ""},        // empty segments are dropped
		{"plain/with/slash", "t", "plain_with_slash/t", ""}, // a plain namespace is one segment
		{"kafka://broker:9092", "topic#1", "kafka/broker_9092/topic_1", ""},
		{"ns", "a..b", "ns/a/b", ""},
		{"file://./rel/../x", "t", "file/_/rel/__/x/t", ""}, // ".." splits into empty parts, dropped
		{"ns", "ünïcode.Ωmega", "ns/ünïcode/Ωmega", ""},     // Unicode letters stay
		{"ns", " padded ", "ns/_padded_", ""},               // no leading or trailing space
		{"db.host", "", "db_host", ""},                      // a last segment holds no "."
		{"", "", "", "empty"},
		{"ns", strings.Repeat("x", 201), "", "over the limit"},
	}
	for _, c := range cases {
		got, err := importer.OpenLineagePath(c.ns, c.name)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("OpenLineagePath(%q, %q) = %q, %v; want an error saying %q", c.ns, c.name, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("OpenLineagePath(%q, %q) = %q, %v; want %q", c.ns, c.name, got, err, c.want)
		}
		if err == nil {
			if verr := catalog.ValidatePath(got); verr != nil {
				t.Errorf("%q is no valid path: %v", got, verr)
			}
		}
	}
}

func TestDbtPath(t *testing.T) {
	cases := map[string]string{
		"model.jaffle_shop.customers":            "model/jaffle_shop/customers",
		"source.sample_dbt.pagila.payment_p2020": "source/sample_dbt/pagila/payment_p2020",
		"seed.shop.raw orders":                   "seed/shop/raw orders",
		"model.pkg.versioned.v2":                 "model/pkg/versioned/v2",
		"model.pkg.has:colon":                    "model/pkg/has_colon",
		"snapshot..double":                       "snapshot/double",
	}
	for uid, want := range cases {
		if got, err := importer.DbtPath(uid); err != nil || got != want {
			t.Errorf("DbtPath(%q) = %q, %v; want %q", uid, got, err, want)
		}
	}
}

func TestSegmentAndMember(t *testing.T) {
	cases := []struct {
		in   string
		last bool
		want string
	}{
		{".", false, "_"},
		{"..", false, "__"},
		{".", true, "_"},
		{"a.b", false, "a.b"}, // a dot may stand in a namespace segment
		{"a.b", true, "a_b"},  // not in a dataset's own name or a member name
		{"a/b", true, "a_b"},
		{"jane@acme", true, "jane@acme"},
		{"tab\there", true, "tab_here"},
		{"x$y%z", true, "x_y_z"},
		{"first name", true, "first name"},
		{" x ", true, "_x_"},
		{"", true, ""},
	}
	for _, c := range cases {
		if got := importer.Segment(c.in, c.last); got != c.want {
			t.Errorf("Segment(%q, %v) = %q, want %q", c.in, c.last, got, c.want)
		}
	}
	for in, want := range map[string]string{"address.city": "address_city", "Email": "Email", "a/b.c": "a_b_c", "..": "__"} {
		if got, err := importer.MemberNameOK(in); err != nil || got != want {
			t.Errorf("MemberNameOK(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := importer.MemberNameOK(""); err == nil {
		t.Error("an empty column name maps to a member")
	}
}

func TestType(t *testing.T) {
	cases := map[string]string{
		"int": "int", "INTEGER": "int", "BigInt": "int", "smallint": "int", "tinyint": "int",
		"long": "int", "short": "int", "serial": "int", "int2": "int", "int4": "int", "int8": "int",
		"float": "float", "DOUBLE": "float", "real": "float", "float4": "float", "float8": "float",
		"double precision": "float", "DOUBLE  PRECISION": "float",
		"decimal": "decimal", "numeric(10,2)": "decimal", "NUMBER(38,0)": "decimal", "decimal (12, 4)": "decimal",
		"bool": "bool", "BOOLEAN": "bool",
		"timestamp": "datetime", "TIMESTAMP": "datetime", "timestamp_ntz": "datetime", "timestamptz": "datetime",
		"timestamp with time zone": "datetime", "TIMESTAMP(6)": "datetime", "datetime": "datetime", "DateTime(3)": "datetime",
		"date": "date", "DATE": "date",
		"binary": "bytes", "varbinary(16)": "bytes", "bytes": "bytes", "blob": "bytes", "bytea": "bytes",
		"varchar(255)": "str", "string": "str", "TEXT": "str", "": "str", "array<int>": "str",
		"struct<a:int>": "str", "uuid": "str", "datetime2": "str", "integer unsigned": "str",
	}
	for in, want := range cases {
		if got := importer.Type(in); got != want {
			t.Errorf("Type(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClaims(t *testing.T) {
	c := importer.NewClaims("dataset path")
	if err := c.Claim("a/b", "x"); err != nil {
		t.Fatal(err)
	}
	if err := c.Claim("a/b", "x"); err != nil {
		t.Fatalf("the same source twice: %v", err)
	}
	err := c.Claim("a/b", "w")
	if err == nil || !strings.Contains(err.Error(), "w and x both map to the dataset path \"a/b\"") {
		t.Fatalf("got %v", err)
	}
}

func TestCycles(t *testing.T) {
	pl := func(in ...string) *catalog.DocPipeline { return &catalog.DocPipeline{Inputs: in} }
	doc := &catalog.Document{Assets: []catalog.DocAsset{
		{Name: "a", Pipeline: pl("b")}, {Name: "b", Pipeline: pl("c")}, {Name: "c", Pipeline: pl("a")},
		{Name: "d", Pipeline: pl("a")}, {Name: "e"},
	}}
	got := importer.Cycles(doc)
	if len(got) != 1 || strings.Join(got[0], ",") != "a,b,c" {
		t.Fatalf("Cycles = %v", got)
	}
}
