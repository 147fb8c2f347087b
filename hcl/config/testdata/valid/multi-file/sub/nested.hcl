volume "nested" { size = 1 }
