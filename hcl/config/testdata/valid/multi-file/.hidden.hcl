this file is ignored { because it is a dot-file
