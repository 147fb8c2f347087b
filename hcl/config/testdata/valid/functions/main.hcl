locals {
  names    = ["db", "web", "db", "cache"]
  csv      = "name,size\nalpha,10\nbeta,20\n"
  settings = jsondecode("{\"size\": 12, \"tags\": {\"team\": \"storage\"}}")
}

output "numeric" {
  value = [abs(-3), ceil(1.2), floor(1.8), max(1, 5, 3), min(4, 2), pow(2, 10), signum(-7), parseint("ff", 16)]
}

output "strings" {
  value = {
    chomp      = chomp("line\n")
    format     = format("%s-%03d", "vol", 7)
    formatlist = formatlist("vol-%s", ["a", "b"])
    indent     = indent(2, "a\nb")
    join       = join(",", ["a", "b"])
    lower      = lower("ABC")
    upper      = upper("abc")
    regex      = regex("[0-9]+", "vol42")
    regexall   = regexall("[0-9]", "a1b2")
    replace    = replace("a-b-c", "-", "_")
    replace_re = replace("vol123", "/[0-9]+/", "N")
    split      = split(",", "a,b")
    strrev     = strrev("abc")
    substr     = substr("abcdef", 1, 3)
    title      = title("hello world")
    trim       = trim("--x--", "-")
    trimprefix = trimprefix("vol-a", "vol-")
    trimsuffix = trimsuffix("a.hcl", ".hcl")
    trimspace  = trimspace("  x  ")
  }
}

output "collections" {
  value = {
    chunklist       = chunklist(["a", "b", "c"], 2)
    coalesce        = coalesce("", "x")
    coalescelist    = coalescelist([], ["y"])
    compact         = compact(["a", "", "b"])
    concat          = concat(["a"], ["b"])
    contains        = contains(local.names, "web")
    distinct        = distinct(local.names)
    element         = element(local.names, 1)
    flatten         = flatten([["a"], ["b", ["c"]]])
    keys            = keys({ b = 1, a = 2 })
    length_list     = length(local.names)
    length_string   = length("héllo")
    length_object   = length({ a = 1, b = "x" })
    lookup          = lookup({ a = "x" }, "b", "default")
    merge           = merge({ a = 1 }, { b = 2 })
    range           = range(3)
    reverse         = reverse(["a", "b"])
    setintersection = setintersection(["a", "b"], ["b", "c"])
    setproduct      = setproduct(["a"], ["x", "y"])
    setsubtract     = setsubtract(["a", "b"], ["a"])
    setunion        = setunion(["a"], ["b"])
    slice           = slice(["a", "b", "c"], 1, 3)
    sort            = sort(["b", "a"])
    values          = values({ a = 1, b = 2 })
    zipmap          = zipmap(["a", "b"], [1, 2])
  }
}

output "encoding" {
  value = {
    jsonencode = jsonencode({ a = 1 })
    jsondecode = local.settings.tags.team
    csvdecode  = csvdecode(local.csv)[1].size
  }
}

output "conversion" {
  value = {
    tostring = tostring(5)
    tonumber = tonumber("5")
    tobool   = tobool("true")
    tolist   = tolist(["a", "b"])
    toset    = toset(["b", "a", "b"])
    tomap    = tomap({ a = "x" })
    try      = try(local.settings.missing, "fallback")
    can      = can(local.settings.missing)
  }
}

volume "sized" {
  size = local.settings.size
}
