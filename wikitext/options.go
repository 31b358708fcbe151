package wikitext

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Parse wraps them with the wiki, the page and the reason.
var (
	// ErrTooLarge means the wikitext is longer than Options.MaxBytes.
	ErrTooLarge = errors.New("wikitext: input too large")
	// ErrBadTitle means the page title given to Parse is not a valid
	// local MediaWiki title.
	ErrBadTitle = errors.New("wikitext: invalid page title")
	// ErrBadOptions means Options.Validate failed.
	ErrBadOptions = errors.New("wikitext: invalid options")
)

// DefaultMaxBytes is the input limit when Options.MaxBytes is 0: eight times
// MediaWiki's default $wgMaxArticleSize (2 MiB), so that every page a wiki
// accepts parses, with room for wikis that raised the limit.
const DefaultMaxBytes = 16 << 20

// DefaultProjectNamespace is the name of namespace 4 when
// Options.ProjectNamespace is empty, as on the English Wikipedia.
const DefaultProjectNamespace = "Wikipedia"

// Namespace is a MediaWiki namespace id.
type Namespace int

// The namespaces Parse knows by name: MediaWiki's core namespaces, Portal and
// Draft as on the English Wikipedia, and Scribunto's Module.
const (
	NamespaceMedia         Namespace = -2
	NamespaceSpecial       Namespace = -1
	NamespaceMain          Namespace = 0
	NamespaceTalk          Namespace = 1
	NamespaceUser          Namespace = 2
	NamespaceUserTalk      Namespace = 3
	NamespaceProject       Namespace = 4
	NamespaceProjectTalk   Namespace = 5
	NamespaceFile          Namespace = 6
	NamespaceFileTalk      Namespace = 7
	NamespaceMediaWiki     Namespace = 8
	NamespaceMediaWikiTalk Namespace = 9
	NamespaceTemplate      Namespace = 10
	NamespaceTemplateTalk  Namespace = 11
	NamespaceHelp          Namespace = 12
	NamespaceHelpTalk      Namespace = 13
	NamespaceCategory      Namespace = 14
	NamespaceCategoryTalk  Namespace = 15
	NamespacePortal        Namespace = 100
	NamespacePortalTalk    Namespace = 101
	NamespaceDraft         Namespace = 118
	NamespaceDraftTalk     Namespace = 119
	NamespaceModule        Namespace = 828
	NamespaceModuleTalk    Namespace = 829
)

// Options configure Parse for one wiki and one page. The zero value parses
// English Wikipedia wikitext of a page that is not connected to a Wikibase
// item.
type Options struct {
	// ConnectedEntity is the Wikibase item the page is connected to through
	// its sitelink, such as Q42, or "" if none. It is the entity of
	// {{#property:...}} and {{#statements:...}} without from=, and, like
	// Wikibase, Parse records it with aspect S (the language links in the
	// sidebar come from its sitelinks).
	ConnectedEntity string
	// InterwikiPrefixes are the prefixes that make [[prefix:Title]] a link
	// to another wiki (interwiki or interlanguage), which is not a local
	// dependency. Nil means DefaultInterwikiPrefixes; an empty non-nil slice
	// means none. Matching ignores case.
	InterwikiPrefixes []string
	// NamespaceAliases maps further namespace names to the namespaces they
	// stand for, such as "WP" to NamespaceProject or "TM" to
	// NamespaceTemplate. The English canonical names and Image (File) always
	// work. Matching ignores case and treats '_' and ' ' alike.
	NamespaceAliases map[string]Namespace
	// ProjectNamespace is the local name of namespace 4 ($wgMetaNamespace),
	// used in output titles; its talk namespace is "<name> talk". Default
	// DefaultProjectNamespace. "Project" is always accepted in input.
	ProjectNamespace string
	// MaxBytes is the longest wikitext Parse accepts; longer input fails
	// with ErrTooLarge. 0 means DefaultMaxBytes.
	MaxBytes int
}

// Validate reports the first invalid field, wrapping ErrBadOptions.
func (o Options) Validate() error {
	if o.MaxBytes < 0 {
		return fmt.Errorf("%w: MaxBytes is %d; want 0 (default %d) or a positive limit", ErrBadOptions, o.MaxBytes, DefaultMaxBytes)
	}
	if o.ConnectedEntity != "" && normalizeEntityID(o.ConnectedEntity) == "" {
		return fmt.Errorf("%w: ConnectedEntity %q is not an entity id like Q42", ErrBadOptions, o.ConnectedEntity)
	}
	for _, p := range o.InterwikiPrefixes {
		if !validPrefix(p) {
			return fmt.Errorf("%w: interwiki prefix %q: want letters, digits, '-', '_' or '.'", ErrBadOptions, p)
		}
	}
	for name, ns := range o.NamespaceAliases {
		if !validPrefix(strings.ReplaceAll(name, " ", "_")) {
			return fmt.Errorf("%w: namespace alias %q: want letters, digits, spaces, '-', '_' or '.'", ErrBadOptions, name)
		}
		if _, ok := o.namespaceName(ns); !ok || ns == NamespaceMain {
			return fmt.Errorf("%w: namespace alias %q names namespace %d, which Parse does not know", ErrBadOptions, name, ns)
		}
	}
	if p := o.ProjectNamespace; p != "" {
		name := normalizeNamespaceName(strings.TrimSpace(p))
		if ns, builtin := canonicalNamespace(name); !validPrefix(name) || builtin && ns != NamespaceProject {
			return fmt.Errorf("%w: ProjectNamespace %q: want a name of letters, digits and spaces that no other namespace has", ErrBadOptions, p)
		}
	}
	return nil
}

// validPrefix reports whether s is a plausible interwiki prefix or
// namespace name (in '_' form): non-empty, ASCII letters, digits, '-', '_'
// or '.', or any non-ASCII letter.
func validPrefix(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r >= 0x80 && r != 0xFFFD
		if !ok {
			return false
		}
	}
	return true
}

// projectName returns the name of namespace 4 in '_' form.
func (o *Options) projectName() string {
	if o.ProjectNamespace == "" {
		return DefaultProjectNamespace
	}
	return strings.ReplaceAll(strings.TrimSpace(o.ProjectNamespace), " ", "_")
}

// namespaceName returns the prefix Parse writes for ns in output titles, in
// '_' form, and whether ns is a namespace Parse knows.
func (o *Options) namespaceName(ns Namespace) (string, bool) {
	switch ns {
	case NamespaceProject:
		return o.projectName(), true
	case NamespaceProjectTalk:
		return o.projectName() + "_talk", true
	}
	name := canonicalNamespaceName(ns)
	return name, name != "" || ns == NamespaceMain
}

// canonicalNamespaceName returns the English canonical name of ns in '_'
// form, or "" for the main namespace and unknown ones.
func canonicalNamespaceName(ns Namespace) string {
	switch ns {
	case NamespaceMedia:
		return "Media"
	case NamespaceSpecial:
		return "Special"
	case NamespaceTalk:
		return "Talk"
	case NamespaceUser:
		return "User"
	case NamespaceUserTalk:
		return "User_talk"
	case NamespaceProject:
		return "Project"
	case NamespaceProjectTalk:
		return "Project_talk"
	case NamespaceFile:
		return "File"
	case NamespaceFileTalk:
		return "File_talk"
	case NamespaceMediaWiki:
		return "MediaWiki"
	case NamespaceMediaWikiTalk:
		return "MediaWiki_talk"
	case NamespaceTemplate:
		return "Template"
	case NamespaceTemplateTalk:
		return "Template_talk"
	case NamespaceHelp:
		return "Help"
	case NamespaceHelpTalk:
		return "Help_talk"
	case NamespaceCategory:
		return "Category"
	case NamespaceCategoryTalk:
		return "Category_talk"
	case NamespacePortal:
		return "Portal"
	case NamespacePortalTalk:
		return "Portal_talk"
	case NamespaceDraft:
		return "Draft"
	case NamespaceDraftTalk:
		return "Draft_talk"
	case NamespaceModule:
		return "Module"
	case NamespaceModuleTalk:
		return "Module_talk"
	}
	return ""
}

// canonicalNamespace returns the namespace a lower-case, '_'-form name
// names among the built-in names, and whether there is one.
func canonicalNamespace(lower string) (Namespace, bool) {
	ns := builtinNamespace(lower)
	return ns, ns != noNamespace
}

// noNamespace is what builtinNamespace returns for an unknown name.
const noNamespace Namespace = -1000

// builtinNamespace implements canonicalNamespace.
func builtinNamespace(lower string) Namespace {
	switch lower {
	case "media":
		return NamespaceMedia
	case "special":
		return NamespaceSpecial
	case "talk":
		return NamespaceTalk
	case "user":
		return NamespaceUser
	case "user_talk":
		return NamespaceUserTalk
	case "project":
		return NamespaceProject
	case "project_talk":
		return NamespaceProjectTalk
	case "file", "image":
		return NamespaceFile
	case "file_talk", "image_talk":
		return NamespaceFileTalk
	case "mediawiki":
		return NamespaceMediaWiki
	case "mediawiki_talk":
		return NamespaceMediaWikiTalk
	case "template":
		return NamespaceTemplate
	case "template_talk":
		return NamespaceTemplateTalk
	case "help":
		return NamespaceHelp
	case "help_talk":
		return NamespaceHelpTalk
	case "category":
		return NamespaceCategory
	case "category_talk":
		return NamespaceCategoryTalk
	case "portal":
		return NamespacePortal
	case "portal_talk":
		return NamespacePortalTalk
	case "draft":
		return NamespaceDraft
	case "draft_talk":
		return NamespaceDraftTalk
	case "module":
		return NamespaceModule
	case "module_talk":
		return NamespaceModuleTalk
	}
	return noNamespace
}

// namespaceByName returns the namespace a title prefix names: a built-in
// name, the project name, or an alias from the options. name is in '_' form.
func (o *Options) namespaceByName(name string) (Namespace, bool) {
	lower := normalizeNamespaceName(name)
	if ns, ok := canonicalNamespace(lower); ok {
		return ns, true
	}
	project := strings.ToLower(o.projectName())
	switch lower {
	case project:
		return NamespaceProject, true
	case project + "_talk":
		return NamespaceProjectTalk, true
	}
	for alias, ns := range o.NamespaceAliases {
		if normalizeNamespaceName(alias) == lower {
			return ns, true
		}
	}
	return 0, false
}

// normalizeNamespaceName lower-cases name and turns spaces into '_'.
func normalizeNamespaceName(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, " ", "_"))
}

// hasSubpages reports whether relative links ([[/Sub]], [[../Sibling]])
// resolve on pages of ns: MediaWiki's default $wgNamespacesWithSubpages
// plus Module, Portal and Draft, as on the English Wikipedia.
func hasSubpages(ns Namespace) bool {
	switch ns {
	case NamespaceUser, NamespaceProject, NamespaceMediaWiki, NamespaceTemplate, NamespaceHelp,
		NamespacePortal, NamespaceDraft, NamespaceModule:
		return true
	}
	return ns > 0 && ns%2 == 1 // every talk namespace
}
