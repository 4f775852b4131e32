"""Bundled name lexicon for the offline name recognizer (lower-case).

Common given names and surnames in North American registrar data (public
census frequency lists, top entries). Extend it through ``data.extra_names``
in a future release; NER covers what a lexicon cannot.
"""

from __future__ import annotations

_FIRST = """
aaron abdul abigail adam adrian ahmed aiden aisha alan albert alejandro alex alexander alexandra alexis ali alice
alicia alison allison alyssa amanda amber amelia amir amy ana andre andrea andrew angela angelica anita ann anna
anne anthony antonio april ariana arjun arthur ashley audrey austin ava barbara beatrice benjamin beth betty
bianca bill blake bobby bonnie brad bradley brandon brenda brian brianna bridget brittany brooke bruce bryan
caleb cameron camille carl carla carlos carmen carol caroline carolyn cassandra catherine cecilia chad charles
charlotte chelsea chen cheryl chloe chris christian christina christine christopher cindy claire clara claude
colin connor courtney craig crystal cynthia daisy dale dalia dan dana daniel daniela danielle darren david dawn
dean deborah debra denise dennis derek diana diane diego dominic donald donna dorothy douglas dylan edward
elena eli elijah elizabeth ella ellen emily emma eric erica erin ethan eugene eva evan evelyn fatima felix
fernando fiona frances francis frank gabriel gabriela gabrielle gary george gerald gina gloria grace greg
gregory hailey haley hannah harold harry heather helen henry holly hugo ian isaac isabel isabella jack jackson
jacob jacqueline jada jake james jamie jane janet janice jared jasmine jason javier jay jean jeffrey jennifer
jeremy jerry jesse jessica jesus jill jimmy joan joanne joe joel john johnny jon jonathan jordan jorge jose
joseph joshua joyce juan judith judy julia julian julie justin kaitlyn karen kate katherine kathleen kathryn
katie kayla keith kelly kenneth kevin kim kimberly kyle laura lauren lawrence leah leo leon liam lily linda lisa
logan lori louis lucas lucy luis luke lydia madison maria mariam marie marilyn mario mark martha martin mary
mason matthew megan melanie melissa mia michael michelle miguel mike mohamed mohammed monica morgan nancy
naomi natalie nathan nicholas nicole noah nora olivia omar oscar pamela patricia patrick paul paula peter
philip priya rachel rafael rahul raj ralph randy raymond rebecca regina ricardo richard rita robert roberto
robin ronald rosa ruby russell ruth ryan samantha samuel sandra sara sarah scott sean sebastian sergio shannon
sharon shawn sheila sofia sophia sophie stephanie stephen steven susan sydney tamara tanya taylor teresa terry
thomas tiffany timothy tina todd tom tony tracy travis tyler valerie vanessa victor victoria vincent virginia
walter wayne wei wendy william xavier yasmin yolanda zachary zoe
"""

_SUR = """
adams ahmed ali allen alvarez anderson bailey baker barnes bell bennett brooks brown bryant butler campbell
carter castillo chan chang chavez chen clark coleman collins cook cooper cox cruz davis diaz dubois edwards
evans fisher flores ford foster garcia gauthier gomez gonzalez gordon graham gray green griffin gutierrez hall
hamilton harris hayes henderson hernandez hill howard hughes jackson james jenkins jimenez johnson jones
jordan kelly khan kim king lam lambert lapointe lee leblanc lewis li liu long lopez martin martinez mcdonald
mendoza meyer miller mitchell moore morales morgan morris murphy myers nelson nguyen ortiz parker patel perez
perry peterson phillips powell price ramirez reed reyes richardson rivera roberts robinson rodriguez rogers
ross roy russell sanchez sanders scott singh smith stewart sullivan taylor thomas thompson torres tran
tremblay turner walker wang ward watson white williams wilson wong wood wright wu young zhang
"""

FIRST_NAMES: frozenset[str] = frozenset(_FIRST.split())
SURNAMES: frozenset[str] = frozenset(_SUR.split())
