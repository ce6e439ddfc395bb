// Package lessons ships Huddle's sample lessons, embedded in the binary so
// that a fresh checkout runs with real content, and the JSON Schema of the
// lesson format for editors.
package lessons

import "embed"

// FS holds the sample lesson files (*.yaml), their pictures and sound
// (media/, made by gen_media.go from source here) and schema.json.
//
//go:embed *.yaml schema.json media
var FS embed.FS

//go:generate go run gen_media.go

// SchemaFile is the name of the JSON Schema in FS.
const SchemaFile = "schema.json"
