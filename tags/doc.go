// Package tags owns tag governance on top of the catalog and its lineage: the tag
// vocabulary, declared tags, propagation and its explanations; and Service, the deploy flow
// that composes catalog (validation, versions), lineage (cycles) and tags (impact) into one
// atomic change of a branch.
//
// tags imports lineage and catalog, nothing above them.
package tags
