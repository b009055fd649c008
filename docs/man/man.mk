# docs/man: one page per public function (section 3)
