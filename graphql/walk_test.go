package graphql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/tagflow/tagflow/graphql"
)

type walkType struct {
	Kind   string    `json:"kind"`
	Name   *string   `json:"name"`
	OfType *walkType `json:"ofType"`
}

type walkField struct {
	Name string `json:"name"`
	Args []struct {
		Name         string   `json:"name"`
		DefaultValue *string  `json:"defaultValue"`
		Type         walkType `json:"type"`
	} `json:"args"`
	Type walkType `json:"type"`
}

const walkTypeFrag = `fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

// The schema walk (issue 8, done when): every Query field and Mutation, called as a
// principal with no grants, answers FORBIDDEN or an empty answer (null, false, [], a count
// of 0, a denied decision), except me, its orgs, the name listing and its own tokens.
func TestSchemaWalkWithoutGrants(t *testing.T) {
	a := newAPI(t, graphql.Config{})
	ctx := context.Background()
	a.expect(t, gqlCase{name: "the admin deploys", query: deployQ, vars: map[string]any{"d": othersDoc}})
	a.expect(t, gqlCase{name: "a user", query: `mutation { createUser(name: "nobody@acme") { ref } t: createTeam(name: "x") { ref } }`})
	nt, err := a.reg.CreateToken(ctx, "acme", "user:nobody@acme", "walk", 0)
	if err != nil {
		t.Fatal(err)
	}
	other, err := a.reg.CreateToken(ctx, "acme", "user:nobody@acme", "other", 0)
	if err != nil {
		t.Fatal(err)
	}
	out := a.gql(t, `{ __schema { queryType { fields { ...F } } mutationType { fields { ...F } } types { name kind enumValues { name } } } }
		fragment F on __Field { name args { name defaultValue type { ...T } } type { ...T } } `+walkTypeFrag, nil)
	raw, _ := json.Marshal(field(out, "data", "__schema"))
	var schema struct {
		QueryType    struct{ Fields []walkField } `json:"queryType"`
		MutationType struct{ Fields []walkField } `json:"mutationType"`
		Types        []struct {
			Name       string
			Kind       string
			EnumValues []struct{ Name string } `json:"enumValues"`
		} `json:"types"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil || len(schema.QueryType.Fields) == 0 {
		t.Fatalf("introspection: %v %v", err, out)
	}
	enums := map[string]string{}
	for _, ty := range schema.Types {
		if ty.Kind == "ENUM" && len(ty.EnumValues) > 0 {
			enums[ty.Name] = ty.EnumValues[0].Name
		}
	}
	// Plausible values of required arguments, by name, else by type.
	byName := map[string]any{
		"path": "quant/stocks", "paths": []string{"quant/stocks"}, "dataset": "quant/stocks", "tag": "PII",
		"tags": []string{"~PII"}, "document": othersDoc + "  - name: nobody@acme/mine\n", "ref": "user:admin",
		"team": "team:x", "group": "group:x", "members": []string{"user:nobody@acme"}, "text": "stocks",
		"id": other.ID, "from": "main", "rules": []any{map[string]any{"modes": []string{"READ_DATA"}}},
		"principal": "user:nobody@acme", "role": "viewer", "scope": "quant/**",
		"password": "a long enough password",
	}
	allowed := map[string]bool{"Query.me": true, "Query.orgs": true, "Query.datasets": true, "Query.featuresets": true,
		"Query.tokens": true, "Mutation.createToken": true, "Mutation.revokeToken": true,
		"Mutation.setPassword": true} // one's own password, like one's own tokens
	walked := 0
	for _, root := range []struct {
		op     string
		fields []walkField
	}{{"Query", schema.QueryType.Fields}, {"Mutation", schema.MutationType.Fields}} {
		sort.Slice(root.fields, func(i, j int) bool { return root.fields[i].Name < root.fields[j].Name })
		for _, f := range root.fields {
			key := root.op + "." + f.Name
			var decl, use []string
			vars := map[string]any{}
			for _, arg := range f.Args {
				if arg.Type.Kind != "NON_NULL" || arg.DefaultValue != nil {
					continue
				}
				v, ok := byName[arg.Name]
				if !ok {
					v = plausible(arg.Type, enums)
				}
				if f.Name == "createBranch" && arg.Name == "name" {
					v = "dev"
				}
				vars[arg.Name] = v
				decl = append(decl, fmt.Sprintf("$%s: %s", arg.Name, typeString(arg.Type)))
				use = append(use, fmt.Sprintf("%s: $%s", arg.Name, arg.Name))
			}
			q := strings.ToLower(root.op)
			if len(decl) > 0 {
				q += "(" + strings.Join(decl, ", ") + ")"
			}
			q += " { " + f.Name
			if len(use) > 0 {
				q += "(" + strings.Join(use, ", ") + ")"
			}
			q += selection(f.Type) + " }"
			_, ans := a.as(t, nt.Secret, q, vars)
			walked++
			code := errorCode(ans)
			val := field(ans, "data", f.Name)
			switch {
			case allowed[key]:
				if code != "" || val == nil {
					t.Errorf("%s: a principal without grants is refused (%v): %s", key, ans["errors"], q)
				}
			case code == "FORBIDDEN":
			case code == "" && empty(val):
			default:
				t.Errorf("%s: a principal without grants got code %q, data %v (%v): %s", key, code, val, ans["errors"], q)
			}
		}
	}
	if walked < 30 {
		t.Errorf("walked %d fields only", walked)
	}
	// Planning tells a principal without grants nothing: an invalid document is FORBIDDEN.
	if status, out := a.post(t, "/api/v1/deploy", nt.Secret, "application/yaml", []byte("datasets: [")); status != 403 || out["code"] != "FORBIDDEN" {
		t.Errorf("REST deploy of an invalid document without grants: %d %v", status, out)
	}
	// Nothing the walk attempted was written.
	a.expect(t, gqlCase{name: "nothing written", query: `{ datasets { nodes { path } } branches { name } }`,
		data: `{"datasets": {"nodes": [{"path": "alan@acme/bonds"}, {"path": "quant/stocks"}]}, "branches": [{"name": "main"}]}`})
}

// selection picks what to ask of a field's type: for an object, what tells an empty answer.
func selection(ty walkType) string {
	for ty.OfType != nil {
		ty = *ty.OfType
	}
	switch ty.Kind {
	case "OBJECT", "INTERFACE", "UNION":
		switch {
		case *ty.Name == "AuditConnection": // the contract gives it no totalCount
			return " { pageInfo { hasNextPage } }"
		case strings.HasSuffix(*ty.Name, "Connection"):
			return " { totalCount }"
		case *ty.Name == "Decision":
			return " { allowed }"
		case *ty.Name == "ColumnAccess":
			return " { visible }"
		}
		return " { __typename }"
	}
	return ""
}

// empty: null, false, "", [], a count of 0, a denied decision, no visible column.
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case []any:
		return len(x) == 0
	case map[string]any:
		if n, ok := x["totalCount"]; ok {
			return n == float64(0)
		}
		if d, ok := x["allowed"]; ok {
			return d == false
		}
		if vis, ok := x["visible"].([]any); ok {
			return len(vis) == 0
		}
	}
	return false
}

func plausible(ty walkType, enums map[string]string) any {
	switch ty.Kind {
	case "NON_NULL":
		return plausible(*ty.OfType, enums)
	case "LIST":
		return []any{plausible(*ty.OfType, enums)}
	case "ENUM":
		return enums[*ty.Name]
	case "INPUT_OBJECT":
		return map[string]any{}
	}
	switch *ty.Name {
	case "Int":
		return 1
	case "Boolean":
		return false
	}
	return "x"
}

func typeString(ty walkType) string {
	switch ty.Kind {
	case "NON_NULL":
		return typeString(*ty.OfType) + "!"
	case "LIST":
		return "[" + typeString(*ty.OfType) + "]"
	}
	return *ty.Name
}
