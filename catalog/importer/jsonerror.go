package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// JSONError says what one of encoding/json's errors says, in the input's terms rather
// than Go's: the key as the producer wrote it and the JSON kinds, with no Go type names.
func JSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Errorf("a JSON %s where an object was expected", te.Value)
		}
		return fmt.Errorf("key %q is a JSON %s, expected %s", te.Field, te.Value, kindWord(te.Type.Kind().String()))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not valid JSON: %s", se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("the input ends too early")
	}
	return err
}

func kindWord(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return k
}
