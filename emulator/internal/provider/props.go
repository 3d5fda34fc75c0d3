package provider

import (
	"fmt"
	"iter"
	"math"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func pk(s string) resource.PropertyKey { return resource.PropertyKey(s) }

// unwrap removes a secret marker (and the secret of an output value).
func unwrap(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput() && v.OutputValue().Known:
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}

// mapElements rebuilds an object or an array with f applied to each of its
// elements; any other value comes back as it is.
func mapElements(v resource.PropertyValue, f func(resource.PropertyValue) resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsObject():
		m := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			m[k] = f(e)
		}
		return resource.NewObjectProperty(m)
	case v.IsArray():
		a := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			a[i] = f(e)
		}
		return resource.NewArrayProperty(a)
	}
	return v
}

// plain removes every secret marker from v, deeply.
func plain(v resource.PropertyValue) resource.PropertyValue {
	return mapElements(unwrap(v), plain)
}

// isEmpty is true for a missing or null value, and for an empty object or array.
func isEmpty(v resource.PropertyValue) bool {
	v = unwrap(v)
	switch {
	case v.V == nil || v.IsNull():
		return true
	case v.IsObject():
		for _, e := range v.ObjectValue() {
			if !isEmpty(e) {
				return false
			}
		}
		return true
	case v.IsArray():
		return len(v.ArrayValue()) == 0
	}
	return false
}

// equalValues compares two values, secrets by their value, nulls and
// empty collections as equal.
func equalValues(a, b resource.PropertyValue) bool {
	if isEmpty(a) && isEmpty(b) {
		return true
	}
	a, b = plain(a), plain(b)
	if a.IsObject() && b.IsObject() {
		am, bm := a.ObjectValue(), b.ObjectValue()
		for k, v := range am {
			if !equalValues(v, bm[k]) {
				return false
			}
		}
		for k, v := range bm {
			if _, ok := am[k]; !ok && !isEmpty(v) {
				return false
			}
		}
		return true
	}
	return a.DeepEquals(b)
}

func diffKind(oldEmpty, newEmpty, replace bool) pulumirpc.PropertyDiff_Kind {
	switch {
	case oldEmpty && replace:
		return pulumirpc.PropertyDiff_ADD_REPLACE
	case oldEmpty:
		return pulumirpc.PropertyDiff_ADD
	case newEmpty && replace:
		return pulumirpc.PropertyDiff_DELETE_REPLACE
	case newEmpty:
		return pulumirpc.PropertyDiff_DELETE
	case replace:
		return pulumirpc.PropertyDiff_UPDATE_REPLACE
	}
	return pulumirpc.PropertyDiff_UPDATE
}

// markSecret makes the value at path ("a" or "a.b") a secret if present.
func markSecret(m resource.PropertyMap, path string) {
	head, rest, nested := strings.Cut(path, ".")
	v, ok := m[pk(head)]
	if !ok || v.IsNull() {
		return
	}
	if !nested {
		if !v.IsSecret() {
			m[pk(head)] = resource.MakeSecret(v)
		}
		return
	}
	wasSecret := v.IsSecret()
	inner := unwrap(v)
	if !inner.IsObject() {
		return
	}
	obj := inner.ObjectValue().Copy()
	markSecret(obj, rest)
	nv := resource.NewObjectProperty(obj)
	if wasSecret {
		nv = resource.MakeSecret(nv)
	}
	m[pk(head)] = nv
}

// field is one property of a PropertyMap, with its secretness remembered.
type field struct {
	v       resource.PropertyValue // unwrapped
	present bool
	unknown bool
	secret  bool
}

func get(m resource.PropertyMap, key string) field {
	raw, ok := m[pk(key)]
	if !ok || raw.IsNull() {
		return field{}
	}
	f := field{present: true, secret: raw.ContainsSecrets(), unknown: raw.ContainsUnknowns()}
	f.v = unwrap(raw)
	if f.v.IsNull() {
		return field{}
	}
	return f
}

// str returns a known string field; ok is false when absent or unknown.
func (f field) str() (string, bool) {
	if !f.present || f.unknown || !f.v.IsString() {
		return "", false
	}
	return f.v.StringValue(), true
}

func (f field) obj() (resource.PropertyMap, bool) {
	if !f.present {
		return nil, false
	}
	return asObject(f.v)
}

// asObject returns v (secret markers removed) as an object, if it is one.
func asObject(v resource.PropertyValue) (resource.PropertyMap, bool) {
	if v = unwrap(v); !v.IsObject() {
		return nil, false
	}
	return v.ObjectValue(), true
}

// arrayObjects yields the index and the value of each element of the array
// v that is an object (nothing if v is not an array).
func arrayObjects(v resource.PropertyValue) iter.Seq2[int, resource.PropertyMap] {
	return func(yield func(int, resource.PropertyMap) bool) {
		if v = unwrap(v); !v.IsArray() {
			return
		}
		for i, e := range v.ArrayValue() {
			if m, ok := asObject(e); ok && !yield(i, m) {
				return
			}
		}
	}
}

// checker collects Check failures.
type checker struct {
	failures []*pulumirpc.CheckFailure
}

func (c *checker) fail(prop, format string, args ...any) {
	c.failures = append(c.failures, &pulumirpc.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
}

// requireList checks that key is present (or unknown) and, when known, a
// list: if it is not, the failure says notList of the value; each is called
// with every element of a list.
func (c *checker) requireList(m resource.PropertyMap, key string, notList func(v resource.PropertyValue) string, each func(i int, e resource.PropertyValue)) {
	f := get(m, key)
	switch {
	case !f.present:
		c.fail(key, "Missing required property '%s'", key)
	case f.unknown:
	case !f.v.IsArray():
		c.fail(key, "%s", notList(f.v))
	default:
		for i, e := range f.v.ArrayValue() {
			each(i, e)
		}
	}
}

// requireString checks that key is present (or unknown) and, when known, a string.
func (c *checker) requireString(m resource.PropertyMap, key string) (string, bool) {
	f := get(m, key)
	if !f.present {
		c.fail(key, "Missing required property '%s'", key)
		return "", false
	}
	return c.stringField(f, key)
}

// optionalString checks that key, when present and known, is a string.
func (c *checker) optionalString(m resource.PropertyMap, key string) (string, bool) {
	f := get(m, key)
	if !f.present {
		return "", false
	}
	return c.stringField(f, key)
}

func (c *checker) stringField(f field, key string) (string, bool) {
	if f.unknown {
		return "", false
	}
	if !f.v.IsString() {
		c.fail(key, "%s must be a string, not %s", key, f.v.TypeString())
		return "", false
	}
	return f.v.StringValue(), true
}

// optionalInt checks that key, when present and known, is an integer.
func (c *checker) optionalInt(m resource.PropertyMap, key string) (int64, bool) {
	f := get(m, key)
	if !f.present || f.unknown {
		return 0, false
	}
	if !f.v.IsNumber() || f.v.NumberValue() != math.Trunc(f.v.NumberValue()) {
		c.fail(key, "%s must be an integer, not %s", key, f.v.String())
		return 0, false
	}
	return int64(f.v.NumberValue()), true
}

// optionalObject checks that key, when present and known, is an object.
func (c *checker) optionalObject(m resource.PropertyMap, key string) (resource.PropertyMap, bool) {
	f := get(m, key)
	if !f.present || f.unknown && !f.v.IsObject() {
		return nil, false
	}
	if !f.v.IsObject() {
		c.fail(key, "%s must be an object, not %s", key, f.v.TypeString())
		return nil, false
	}
	return f.v.ObjectValue(), true
}

// stringMap reads a known map of strings.
func stringMap(v resource.PropertyValue) map[string]string {
	v = unwrap(v)
	if !v.IsObject() {
		return nil
	}
	out := map[string]string{}
	for k, e := range v.ObjectValue() {
		if e := unwrap(e); e.IsString() {
			out[string(k)] = e.StringValue()
		}
	}
	return out
}

// readInputs is the inputs a Read reports: a copy of the program's inputs,
// or on an import (no inputs) the given keys of the outputs.
func readInputs(news, outs resource.PropertyMap, keys ...string) resource.PropertyMap {
	if len(news) == 0 {
		return copyInputs(outs, keys...)
	}
	return news.Copy()
}

// copyInputs copies the given keys of m (secrets kept as they are).
func copyInputs(m resource.PropertyMap, keys ...string) resource.PropertyMap {
	out := resource.PropertyMap{}
	for _, k := range keys {
		if v, ok := m[pk(k)]; ok && !v.IsNull() {
			out[pk(k)] = v
		}
	}
	return out
}

// setStrings sets each of fields in outs as a string.
func setStrings(outs resource.PropertyMap, fields map[string]string) {
	for k, v := range fields {
		outs[pk(k)] = resource.NewStringProperty(v)
	}
}

func computed() resource.PropertyValue {
	return resource.MakeComputed(resource.NewStringProperty(""))
}

func secretString(s string) resource.PropertyValue {
	return resource.MakeSecret(resource.NewStringProperty(s))
}
