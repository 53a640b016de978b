package importer

import "strings"

// Type maps an outside column type to a tagflow type (DESIGN §8), compared
// case-insensitively after dropping a "(…)" suffix ("NUMBER(38,0)", "varchar(255)").
// Anything it does not know, and no type at all, is str.
func Type(t string) string {
	s := strings.ToLower(strings.TrimSpace(t))
	if strings.HasSuffix(s, ")") {
		if i := strings.IndexByte(s, '('); i >= 0 {
			s = strings.TrimSpace(s[:i])
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	switch s {
	case "int", "integer", "bigint", "smallint", "tinyint", "long", "short", "serial", "int2", "int4", "int8":
		return "int"
	case "float", "double", "real", "float4", "float8", "double precision":
		return "float"
	case "decimal", "numeric", "number":
		return "decimal"
	case "bool", "boolean":
		return "bool"
	case "datetime":
		return "datetime"
	case "date":
		return "date"
	case "binary", "varbinary", "bytes", "blob", "bytea":
		return "bytes"
	}
	if strings.HasPrefix(s, "timestamp") {
		return "datetime"
	}
	return "str"
}
