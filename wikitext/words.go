package wikitext

import "strings"

// isMagicWord reports whether name, compared with case, is one of
// MediaWiki's case-sensitive magic words: the variables ({{PAGENAME}},
// {{CURRENTYEAR}}, {{!}}) and the upper-case parser functions that take an
// argument after a colon ({{DEFAULTSORT:...}}, {{DISPLAYTITLE:...}},
// {{PAGENAME:...}}).
func isMagicWord(name string) bool {
	switch name {
	case "!", "=",
		"CURRENTYEAR", "CURRENTMONTH", "CURRENTMONTH1", "CURRENTMONTH2", "CURRENTMONTHNAME",
		"CURRENTMONTHNAMEGEN", "CURRENTMONTHABBREV", "CURRENTDAY", "CURRENTDAY2", "CURRENTDOW",
		"CURRENTDAYNAME", "CURRENTTIME", "CURRENTHOUR", "CURRENTWEEK", "CURRENTTIMESTAMP",
		"LOCALYEAR", "LOCALMONTH", "LOCALMONTH1", "LOCALMONTH2", "LOCALMONTHNAME",
		"LOCALMONTHNAMEGEN", "LOCALMONTHABBREV", "LOCALDAY", "LOCALDAY2", "LOCALDOW",
		"LOCALDAYNAME", "LOCALTIME", "LOCALHOUR", "LOCALWEEK", "LOCALTIMESTAMP",
		"NUMBEROFPAGES", "NUMBEROFARTICLES", "NUMBEROFFILES", "NUMBEROFUSERS",
		"NUMBEROFACTIVEUSERS", "NUMBEROFEDITS", "NUMBEROFADMINS", "NUMBERINGROUP", "NUMBERINGRP",
		"SITENAME", "SERVER", "SERVERNAME", "SCRIPTPATH", "STYLEPATH", "ARTICLEPATH", "CURRENTVERSION",
		"CONTENTLANGUAGE", "CONTENTLANG", "PAGELANGUAGE", "USERLANGUAGE", "DIRECTIONMARK", "DIRMARK",
		"PAGENAME", "PAGENAMEE", "FULLPAGENAME", "FULLPAGENAMEE", "BASEPAGENAME", "BASEPAGENAMEE",
		"ROOTPAGENAME", "ROOTPAGENAMEE", "SUBPAGENAME", "SUBPAGENAMEE", "TALKPAGENAME", "TALKPAGENAMEE",
		"SUBJECTPAGENAME", "SUBJECTPAGENAMEE", "ARTICLEPAGENAME", "ARTICLEPAGENAMEE",
		"NAMESPACE", "NAMESPACEE", "NAMESPACENUMBER", "TALKSPACE", "TALKSPACEE",
		"SUBJECTSPACE", "SUBJECTSPACEE", "ARTICLESPACE", "ARTICLESPACEE",
		"PAGEID", "REVISIONID", "REVISIONDAY", "REVISIONDAY2", "REVISIONMONTH", "REVISIONMONTH1",
		"REVISIONYEAR", "REVISIONTIMESTAMP", "REVISIONUSER", "REVISIONSIZE",
		"PAGESINCATEGORY", "PAGESINCAT", "PAGESIZE", "PROTECTIONLEVEL", "PROTECTIONEXPIRY",
		"CASCADINGSOURCES", "DISPLAYTITLE", "DEFAULTSORT", "DEFAULTSORTKEY", "DEFAULTCATEGORYSORT",
		"SHORTDESC", "TRANSLATIONLANGUAGE":
		return true
	}
	return false
}

// isFunctionName reports whether lower, a lower-cased name before a colon,
// is one of MediaWiki's case-insensitive parser functions without '#'
// ({{lc:...}}, {{urlencode:...}}, {{int:...}}).
func isFunctionName(lower string) bool {
	switch lower {
	case "lc", "uc", "lcfirst", "ucfirst", "urlencode", "anchorencode",
		"fullurl", "fullurle", "localurl", "localurle", "canonicalurl", "canonicalurle",
		"filepath", "ns", "nse", "formatnum", "grammar", "gender", "plural", "bidi",
		"padleft", "padright", "int", "special", "speciale", "formatdate", "dateformat",
		"noexternallanglinks":
		return true
	}
	return false
}

// defaultInterwiki lists DefaultInterwikiPrefixes: the Wikimedia project
// prefixes of the interwiki map and the language codes of the Wikipedias.
const defaultInterwiki = `
wikipedia w wiktionary wikt wikinews n wikibooks b wikiquote q wikisource s
wikispecies species wikiversity v wikivoyage voy wikidata d wikimedia wmf
foundation commons c meta m metawikimedia metawikipedia mediawikiwiki mw
incubator outreach phabricator phab gerrit wikitech toolforge wikifunctions f
translatewiki betawiki wmania testwiki mediazilla bugzilla
aa ab ace ady af ak als alt am ami an ang anp ar arc ary arz as ast atj av avk
awa ay az azb ba ban bar bat-smg bbc bcl be be-tarask be-x-old bew bg bh bi bjn
blk bm bn bo bpy br bs btm bug bxr ca cbk-zam cdo ce ceb ch cho chr chy ckb co
cr crh cs csb cu cv cy da dag de dga din diq dsb dty dv dz ee el eml en eo es
et eu ext fa fat ff fi fiu-vro fj fo fon fr frp frr fur fy ga gag gan gcr gd gl
glk gn gom gor got gpe gu guc gur guw gv ha hak haw he hi hif ho hr hsb ht hu
hy hyw hz ia iba id ie ig igl ii ik ilo inh io is it iu ja jam jbo jv ka kaa
kab kbd kbp kcg kg kge ki kj kk kl km kn knc ko koi kr krc ks ksh ku kus kv kw
ky la lad lb lbe lez lfn lg li lij lld lmo ln lo lrc lt ltg lv mad mai map-bms
mdf mg mh mhr mi min mk ml mn mni mnw mo mos mr mrj ms mt mus mwl my myv mzn na
nah nan nap nds nds-nl ne new ng nia nl nn no nov nqo nr nrm nso nup nv ny oc
olo om or os pa pag pam pap pcd pcm pdc pfl pi pih pl pms pnb pnt ps pt pwn qu
rm rmy rn ro roa-rup roa-tara rsk ru rue rup rw sa sah sat sc scn sco sd se sg
sgs sh shi shn si simple sk skr sl sm smn sn so sq sr srn ss st stq su sv sw syl
szl szy ta tay tcy tdd te tet tg th ti tig tk tl tly tn to tpi tr trv ts tt tum
tw ty tyv udm ug uk ur uz ve vec vep vi vls vo vro wa war wo wuu xal xh xmf yi
yo yue za zea zgh zh zh-classical zh-min-nan zh-yue zu
`

// DefaultInterwikiPrefixes returns the interwiki prefixes Parse uses when
// Options.InterwikiPrefixes is nil: the Wikimedia project prefixes (w,
// wikt, commons, d, meta, ...) and the language codes of the Wikipedias
// (en, de, zh-min-nan, ...). The slice is new on every call; append to it
// to extend the list.
func DefaultInterwikiPrefixes() []string {
	return strings.Fields(defaultInterwiki)
}

// isInterwiki reports whether prefix (in '_' form) is an interwiki prefix.
// Answers are cached for the run, so a page with a hundred language links
// looks each prefix up once.
func (r *run) isInterwiki(prefix string) bool {
	lower := strings.ToLower(prefix)
	if v, ok := r.interwiki[lower]; ok {
		return v
	}
	var v bool
	if r.opts.InterwikiPrefixes == nil {
		v = inWordList(defaultInterwiki, lower)
	} else {
		for _, p := range r.opts.InterwikiPrefixes {
			if strings.EqualFold(p, lower) {
				v = true
				break
			}
		}
	}
	if r.interwiki == nil {
		r.interwiki = map[string]bool{}
	}
	if len(r.interwiki) < maxCachedPrefixes {
		r.interwiki[lower] = v
	}
	return v
}

// inWordList reports whether word is one of the space- or
// newline-separated words of list.
func inWordList(list, word string) bool {
	if word == "" || strings.ContainsAny(word, " \n") {
		return false
	}
	for i := 0; ; {
		j := strings.Index(list[i:], word)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(word)
		if (j == 0 || list[j-1] == ' ' || list[j-1] == '\n') && (end == len(list) || list[end] == ' ' || list[end] == '\n') {
			return true
		}
		i = j + 1
	}
}

// maxCachedPrefixes bounds the interwiki answer cache of one run.
const maxCachedPrefixes = 4096
