// Golden cases for the story engine: wire copies in every variation outlets make (all copies),
// near misses that must not be copies, story joins and non-joins, languages, the window.

#include "stories/story_engine.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace newswatch::stories {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2013} / 1 / 11} + hours(8);

StoryItem item(std::string id, std::string feed, std::string title, std::string summary, int minute = 0,
               std::string language = "en", std::vector<std::string> entities = {}) {
  StoryItem it;
  it.item_id = std::move(id);
  it.feed_id = std::move(feed);
  it.title = std::move(title);
  it.summary = std::move(summary);
  it.language = std::move(language);
  it.entities = std::move(entities);
  it.arrival = kT0 + minutes(minute);
  return it;
}

const char* const kTitle = "Malian army retakes Konna from Islamist fighters";
const char* const kSummary =
    "The Malian army, backed by French air strikes, recaptured the central town of Konna on Friday after two days "
    "of fighting with Islamist rebels, a military spokesman said. Residents reported heavy casualties among the "
    "insurgents, who had seized the town on Thursday in a push towards the government-held city of Mopti.";

// Unrelated traffic first, so the window is not empty and word weights mean something.
void add_background(StoryEngine& engine) {
  const char* const titles[] = {
      "Central bank raises interest rates to curb inflation",       "Floods displace thousands in southern Mozambique",
      "Football: Ivory Coast name squad for Africa Cup of Nations", "Oil prices climb as cold weather lifts demand",
      "Kenya election commission publishes final voter register",
  };
  const char* const summaries[] = {
      "<p>The central bank raised its benchmark rate by half a point on Wednesday, citing rising food prices.</p>",
      "<p>Heavy rains have forced thousands of families from their homes along the Limpopo river, officials said.</p>",
      "<p>The coach named 23 players, including Didier Drogba, for the tournament in South Africa.</p>",
      "<p>Brent crude rose above 111 dollars a barrel as a cold snap in Europe and the United States lifted "
      "demand.</p>",
      "<p>The electoral body said 14.3 million voters had registered ahead of the March general election.</p>",
  };
  for (int i = 0; i < 5; ++i)
    engine.assign(item("bg" + std::to_string(i), "wire-bg", titles[i], summaries[i], -60 + i));
}

struct CopyCase {
  const char* name;
  std::string title;
  std::string summary;
};

std::vector<CopyCase> copy_variants() {
  const std::string s = kSummary;
  const std::string first_sentence = s.substr(0, s.find(". ") + 1);
  return {
      {"identical", kTitle, s},
      {"outlet suffix dash", std::string(kTitle) + " - Reuters", s},
      {"outlet suffix pipe", std::string(kTitle) + " | Le Monde", s},
      {"outlet suffix en dash", std::string(kTitle) + " \xE2\x80\x93 Al Jazeera English", s},
      {"agency prefix on summary", kTitle, "BAMAKO (Reuters) - " + s},
      {"afp prefix in html", kTitle, "<p>AFP - " + s + "</p>"},
      {"dateline with date", kTitle, "DAKAR, Jan 11 (Reuters) - " + s},
      {"agency prefix on title", std::string("AFP - ") + kTitle, s},
      {"update tag on title", std::string("UPDATE 2-") + kTitle, s},
      {"changed headline", "French jets help Mali troops win back Konna", s},
      {"trimmed summary", kTitle, first_sentence},
      {"extended summary", kTitle,
       s + " The fighting marks the first direct French military involvement in the conflict, officials in Paris "
           "confirmed late on Friday."},
      {"case and punctuation", "MALIAN ARMY RETAKES KONNA FROM ISLAMIST FIGHTERS!",
       "The Malian army - backed by French air strikes - recaptured the central town of Konna on Friday, after two "
       "days of fighting with Islamist rebels; a military spokesman said... Residents reported heavy casualties "
       "among the insurgents who had seized the town on Thursday, in a push towards the government-held city of "
       "Mopti."},
      {"words swapped", "Malian army retakes Konna from Islamist militants",
       "The Malian army, backed by French air strikes, retook the central town of Konna on Friday after two days of "
       "fighting with Islamist militants, a military spokesman said. Residents reported heavy casualties among the "
       "insurgents, who had seized the town on Thursday in a push towards the government-held city of Mopti."},
      {"accents and html", "Malian army retakes Konna from Islamist fighters",
       "<p>The <b>Malian</b> army, backed by French air strikes, recaptured the central town of Konna on Friday "
       "after two days of fighting with Islamist rebels, a military spokesman said.</p><p>Residents reported heavy "
       "casualties among the insurgents, who had seized the town on Thursday in a push towards the government-held "
       "city of Mopti.</p>"},
      {"headline only", std::string(kTitle) + " - Reuters", ""},
  };
}

TEST(StoryEngineCopies, EveryWireVariationIsACopyOfTheDispatch) {
  for (const auto& c : copy_variants()) {
    SCOPED_TRACE(c.name);
    StoryEngine engine;
    add_background(engine);
    const auto original = engine.assign(item("orig", "wire-a", kTitle, kSummary, 0));
    EXPECT_TRUE(original.new_story);
    EXPECT_FALSE(original.copy_of);
    const auto copy = engine.assign(item("copy", "outlet-b", c.title, c.summary, 30));
    ASSERT_TRUE(copy.copy_of.has_value());
    EXPECT_EQ(*copy.copy_of, "orig");
    EXPECT_EQ(*copy.copy_feed, "wire-a");
    EXPECT_EQ(copy.story_id, original.story_id);
    EXPECT_EQ(copy.size, 2U);
    EXPECT_EQ(copy.sources, 2U);
    EXPECT_EQ(copy.first_feed, "wire-a");
    EXPECT_EQ(copy.first_seen, kT0);
    EXPECT_FALSE(copy.new_story);
  }
}

TEST(StoryEngineCopies, ACopyOfACopyPointsAtTheOriginal) {
  StoryEngine engine;
  add_background(engine);
  engine.assign(item("orig", "wire-a", kTitle, kSummary, 0));
  engine.assign(item("c1", "outlet-b", std::string(kTitle) + " - Reuters", kSummary, 5));
  const auto c2 = engine.assign(item("c2", "outlet-c", std::string(kTitle) + " | Le Monde", kSummary, 9));
  ASSERT_TRUE(c2.copy_of);
  EXPECT_EQ(*c2.copy_of, "orig");
  EXPECT_EQ(c2.size, 3U);
  EXPECT_EQ(c2.sources, 3U);
}

TEST(StoryEngineCopies, TemplatesWithOtherNumbersAreNotCopies) {
  StoryEngine engine;
  add_background(engine);
  const auto a =
      engine.assign(item("b17", "un-press", "Security Council press bulletin 17",
                         "The Security Council met on the situation in Mali. Bulletin 17 of the session.", 0));
  const auto b =
      engine.assign(item("b18", "un-press", "Security Council press bulletin 18",
                         "The Security Council met on the situation in Mali. Bulletin 18 of the session.", 60));
  EXPECT_FALSE(b.copy_of);
  (void)a;
}

TEST(StoryEngineCopies, TheSameCasualtyTemplateInAnotherTownIsNotACopy) {
  StoryEngine engine;
  add_background(engine);
  engine.assign(item("gao", "wire-a", "Attack on army post in Gao kills 12 soldiers",
                     "At least 12 soldiers were killed when gunmen attacked an army post in Gao on Monday, the army "
                     "said in a statement, blaming Islamist fighters.",
                     0, "en", {"Gao", "Mali"}));
  const auto kidal = engine.assign(item("kidal", "wire-a", "Attack on army post in Kidal kills 7 soldiers",
                                        "At least 7 soldiers were killed when gunmen attacked an army post in Kidal on "
                                        "Monday, the army said in a statement, blaming Islamist fighters.",
                                        40, "en", {"Kidal", "Mali"}));
  EXPECT_FALSE(kidal.copy_of);
  // Without numbers but with the places known as entities, the same.
  const auto menaka = engine.assign(item("menaka", "wire-a", "Attack on army post in Menaka kills soldiers",
                                         "Several soldiers were killed when gunmen attacked an army post in Menaka on "
                                         "Monday, the army said in a statement, blaming Islamist fighters.",
                                         50, "en", {"Menaka", "Mali"}));
  EXPECT_FALSE(menaka.copy_of);
}

TEST(StoryEngineCopies, ARevisedTollInAnOtherwiseIdenticalLongDispatchIsStillACopy) {
  StoryEngine engine;
  add_background(engine);
  const std::string tail =
      " soldiers were killed when gunmen on motorbikes attacked an army post near the northern town of Gao before "
      "dawn on Monday, the army said in a statement, blaming Islamist fighters who have controlled much of the "
      "region since April.";
  engine.assign(item("v1", "wire-a", "Gunmen attack army post near Gao", "At least 12" + tail, 0));
  const auto v2 = engine.assign(item("v2", "outlet-b", "Gunmen attack army post near Gao", "At least 15" + tail, 90));
  ASSERT_TRUE(v2.copy_of);
  EXPECT_EQ(*v2.copy_of, "v1");
}

TEST(StoryEngineCopies, TwoDifferentAttacksOnTheSameDayAreNotCopies) {
  StoryEngine engine;
  add_background(engine);
  engine.assign(item("a1", "wire-a", "Gunmen kill 12 soldiers in attack on army post near Gao",
                     "Islamist gunmen attacked an army post near Gao overnight, killing 12 soldiers, the defence "
                     "ministry said.",
                     0));
  const auto a2 = engine.assign(item("a2", "wire-b", "Suicide bomber kills four at checkpoint in Timbuktu",
                                     "A suicide bomber blew himself up at a military checkpoint at the entrance of "
                                     "Timbuktu, killing four soldiers, a local official said.",
                                     120));
  EXPECT_FALSE(a2.copy_of);
}

TEST(StoryEngineStories, DifferentArticlesAboutOneEventJoinOneStory) {
  StoryEngine engine;
  add_background(engine);
  const auto a = engine.assign(item("un1", "un-news", "Security Council authorises African-led force for Mali",
                                    "The UN Security Council unanimously approved the deployment of an African-led "
                                    "international support mission in Mali to help the government retake the north "
                                    "from Islamist groups.",
                                    0, "en", {"UN Security Council", "Mali", "AFISMA"}));
  const auto b = engine.assign(item("rt1", "reuters", "UN approves African troops to oust Mali Islamists",
                                    "Diplomats said the Security Council vote on the African-led mission clears the "
                                    "way for troops from West African states to help Mali's army retake the north.",
                                    45, "en", {"UN Security Council", "Mali", "AFISMA"}));
  EXPECT_FALSE(b.copy_of);
  EXPECT_EQ(b.story_id, a.story_id);
  EXPECT_EQ(b.size, 2U);
}

TEST(StoryEngineStories, SharingOnlyMaliDoesNotMerge) {
  StoryEngine engine;
  add_background(engine);
  const auto a = engine.assign(item("x1", "wire-a", "Mali: cotton harvest expected to rise this season",
                                    "Farmers in Mali expect a larger cotton crop after good rains, the national "
                                    "cotton company said.",
                                    0, "en", {"Mali"}));
  const auto b = engine.assign(item("x2", "wire-b", "Mali football federation appoints new national coach",
                                    "The federation in Mali named a Frenchman to lead the national team before the "
                                    "continental cup.",
                                    30, "en", {"Mali"}));
  EXPECT_NE(a.story_id, b.story_id);
  EXPECT_TRUE(b.new_story);
}

TEST(StoryEngineStories, OtherLanguagesJoinOnlyOnSharedEntities) {
  StoryEngine engine;
  add_background(engine);
  const auto en = engine.assign(item("en1", "un-news", "Security Council authorises African-led force for Mali",
                                     "The UN Security Council approved the deployment of an African-led mission in "
                                     "Mali, backed by ECOWAS.",
                                     0, "en", {"UN Security Council", "Mali", "AFISMA", "ECOWAS"}));
  const auto fr = engine.assign(item("fr1", "rfi", "Le Conseil de sécurité autorise la force africaine au Mali",
                                     "Le Conseil de sécurité de l'ONU a approuvé le déploiement de la MISMA, soutenue "
                                     "par la CEDEAO.",
                                     20, "fr", {"UN Security Council", "Mali", "AFISMA", "ECOWAS"}));
  EXPECT_EQ(fr.story_id, en.story_id);
  // French text about something else that names Mali only: its own story.
  const auto other = engine.assign(item("fr2", "rfi", "Le Mali célèbre la fête de l'indépendance",
                                        "Des milliers de personnes ont défilé à Bamako pour la fête nationale.", 30,
                                        "fr", {"Mali", "Bamako"}));
  EXPECT_NE(other.story_id, en.story_id);
}

TEST(StoryEngineWindow, AFollowUpBeyondTheWindowStartsANewStory) {
  StoryTuning tuning;
  tuning.window = hours(72);
  StoryEngine engine(tuning);
  add_background(engine);
  const auto a = engine.assign(item("orig", "wire-a", kTitle, kSummary, 0));
  EXPECT_GT(engine.item_count(), 1U);
  auto late = item("late", "wire-b", kTitle, kSummary, 0);
  late.arrival = kT0 + hours(80);
  const auto b = engine.assign(late);
  EXPECT_FALSE(b.copy_of);
  EXPECT_NE(b.story_id, a.story_id);
  EXPECT_EQ(engine.item_count(), 1U);  // everything older than 72 h is gone
  EXPECT_EQ(engine.story_count(), 1U);
}

TEST(StoryEngineWindow, WithinTheWindowTheCopyIsFound) {
  StoryEngine engine;
  engine.assign(item("orig", "wire-a", kTitle, kSummary, 0));
  auto late = item("late", "wire-b", kTitle, kSummary, 0);
  late.arrival = kT0 + hours(71);
  EXPECT_TRUE(engine.assign(late).copy_of);
}

TEST(StoryEngineWindow, AShorterWindowAtAReloadAppliesAtTheNextItem) {
  StoryEngine engine;
  engine.assign(item("orig", "wire-a", kTitle, kSummary, 0));
  engine.set_window(hours(1));
  auto later = item("later", "wire-b", kTitle, kSummary, 0);
  later.arrival = kT0 + hours(2);
  EXPECT_FALSE(engine.assign(later).copy_of);
  EXPECT_EQ(engine.item_count(), 1U);
}

TEST(StoryEngine, AnItemSeenAgainGetsItsAssignmentBack) {
  StoryEngine engine;
  const auto a = engine.assign(item("orig", "wire-a", kTitle, kSummary, 0));
  const auto again = engine.assign(item("orig", "wire-a", kTitle, kSummary, 5));
  EXPECT_EQ(again.story_id, a.story_id);
  EXPECT_EQ(engine.item_count(), 1U);
  // The same id in another feed is another item.
  const auto other = engine.assign(item("orig", "wire-b", kTitle, kSummary, 6));
  EXPECT_TRUE(other.copy_of);
  EXPECT_EQ(engine.item_count(), 2U);
}

TEST(StoryEngine, StoryIdsDependOnlyOnTheFirstItem) {
  EXPECT_EQ(story_id_for("wire-a", "orig").size(), 16U);
  StoryEngine e1;
  StoryEngine e2;
  add_background(e2);
  EXPECT_EQ(e1.assign(item("orig", "wire-a", kTitle, kSummary)).story_id, story_id_for("wire-a", "orig"));
  EXPECT_EQ(e2.assign(item("orig", "wire-a", kTitle, kSummary)).story_id, story_id_for("wire-a", "orig"));
}

TEST(StoryEngine, EmptyAndHostileTextIsHandled) {
  StoryEngine engine;
  const auto a = engine.assign(item("e1", "f", "", ""));
  const auto b = engine.assign(item("e2", "f", "", ""));
  EXPECT_NE(a.story_id, b.story_id);
  EXPECT_FALSE(b.copy_of);
  std::string huge;
  for (int i = 0; i < 100000; ++i)
    huge += "Mali ";
  // One distinct word pair is too little to call anything a copy.
  engine.assign(item("e3", "f", huge, "<p>" + huge + "</p>"));
  EXPECT_FALSE(engine.assign(item("e4", "f", huge, huge)).copy_of);
  const auto e = engine.assign(item("e5", "f", std::string("\xff\xfe\x80 bad bytes"), "<<<>>>&&&;;"));
  EXPECT_FALSE(e.copy_of);
}

TEST(StoryText, DecorationsAreStripped) {
  EXPECT_EQ(strip_title_decorations("Mali army retakes Konna - Reuters"), "Mali army retakes Konna");
  EXPECT_EQ(strip_title_decorations("Mali army retakes Konna | Le Monde"), "Mali army retakes Konna");
  EXPECT_EQ(strip_title_decorations("Mali - France"), "Mali - France");  // too short a head
  EXPECT_EQ(strip_title_decorations("Mali army retakes Konna - the long story of a town under siege for weeks"),
            "Mali army retakes Konna - the long story of a town under siege for weeks");
  EXPECT_EQ(strip_dateline("BAMAKO (Reuters) - The army said"), "The army said");
  EXPECT_EQ(strip_dateline("<p>AFP - The army said</p>"), "The army said</p>");
  EXPECT_EQ(strip_dateline("UPDATE 2-Mali army"), "Mali army");
  EXPECT_EQ(strip_dateline("Mali - France sends troops"), "Mali - France sends troops");
  EXPECT_EQ(strip_dateline("US-Mali talks"), "US-Mali talks");
}

}  // namespace
}  // namespace newswatch::stories
