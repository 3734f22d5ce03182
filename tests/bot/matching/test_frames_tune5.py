"""Topic frames for the kinds of report the tune5a set showed were missed or misfiled (drills,
equipment, border), and the traps beside them.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

from tests.bot.matching.cases import finds, finds_each, misses

# Shooting heard at a border is an incident, and "preparing for war" beside a state's name is
# talk: neither is an exercise. Firing and training beside a training ground or a unit are.
test_shots_and_war_talk_are_no_exercise = misses(
    "drills",
    [
        "Ночью на границе с Польшей была слышна стрельба, сообщили жители.",
        "Каля мяжы зноў чулася стральба.",
        "Біля кордону з Білоруссю вночі чули стрільбу.",
        "Shooting was heard near the Polish border overnight.",
        "Глава МИД Беларуси заявил о подготовке Литвы к войне.",
        "Міністр сказаў, што Польшча вядзе падрыхтоўку да вайны.",
        "Посол заявив про підготовку Польщі до війни.",
    ],
)

test_firing_and_training_at_a_range_are_drills = finds(
    "drills",
    [
        "На полигоне под Борисовом прошли стрельбы танковых экипажей.",
        "Стрельба из автоматов велась на стрельбище весь день.",
        "Стральба на палігоне пад Барысавам працягнецца да вечара.",
        "Firing at the training ground will continue until Friday.",
        "Подготовка мотострелков идёт на полигоне.",
    ],
)

# A check of the reaction forces is a readiness check.
test_reaction_forces_checked = finds(
    "drills",
    [
        "Продолжается проверка сил реагирования.",
        "Працягваецца праверка сіл рэагавання.",
        "Триває перевірка сил реагування.",
        "An inspection of the reaction forces began on Monday.",
    ],
)

# Armour and military vehicles are equipment news when something happens to them: moved,
# unloaded, seen, taken from storage, handed over. Named as an exercise's means, in a
# statement or as a tank crew's trade, they are not.
test_hardware_moved_shipped_or_seen = finds(
    "equipment",
    [
        "Военные колонны с танками двигались к полигону под Борисовом.",
        "На станции Лида выгрузили двадцать танков.",
        "На чыгуначнай станцыі разгрузілі бронетранспарцёры.",
        "Танки сняли с хранения на базе резерва.",
        "Soldiers filmed a column of tanks heading south.",
    ],
)

test_hardware_named_without_news = misses(
    "equipment",
    [
        "Учения прошли с применением танков и артиллерии.",
        "Вучэнні прайшлі з выкарыстаннем танкаў і гармат.",
        "Навчання пройшли із застосуванням танків.",
        "Министр сказал, что у НАТО много танков у наших границ.",
        "Танкисты показали мастерство на полигоне.",
        # Т-34s on a patriotic tour, Operation Bagration: history
        "По городам проедут танки Т-34, восстановленные для патриотической акции.",
        "Па гарадах праедуць танкі Т-34-85 у гонар аперацыі Багратыён.",
    ],
)

# An echelon that carries soldiers is a troop train; with its hardware it is equipment too.
test_troop_trains_are_no_equipment = misses(
    "equipment",
    [
        "На станцию Орша прибыл эшелон с солдатами из Подмосковья.",
        "Эшалон з расійскімі вайскоўцамі прыйшоў на станцыю Ліда.",
        "Ешелон із російськими військовослужбовцями прибув до Гомеля.",
        "A train with Russian soldiers arrived at the Zaslonava station.",
    ],
)

test_echelons_with_people_and_hardware = finds(
    "equipment",
    [
        "Утром прибыл эшелон с личным составом и техникой мотострелковой бригады.",
        "An echelon with servicemen of the tank regiment and their equipment reached Baranovichi.",
    ],
)

# A fleet added to, arms received for service.
test_fleet_additions_and_arms_into_service = finds(
    "equipment",
    [
        "Военно-воздушные силы пополнятся ещё шестью истребителями Су-30СМ2.",
        "Войскі СПА папоўніліся новым дывізіёнам зенітных ракетных комплексаў.",
        "Парк ВПС поповниться новими бойовими вертольотами Мі-35.",
        "The air force will replenish its fleet with four more Su-30SM2 fighters.",
        "Спецназ получил на вооружение новые гранатомёты и пулемёты.",
        "Спецназ атрымаў на ўзбраенне новыя гранатамёты.",
    ],
)

test_other_additions_are_no_equipment = misses(
    "equipment",
    ["Спортсмены пополнили копилку медалей.", "Бригада пополнилась новобранцами."],
)

# The border: a crossing on it named, guards strengthening it (imperfective too), people
# trying to walk across, entry to the border zone by pass, contraband balloons, the control
# strip, academic Belarusian spellings.
test_border_reports = finds(
    "border",
    [
        "Пункт пропуска на границе с Литвой по-прежнему закрыт для всех.",
        "Пограничный пункт закрывается на ремонт.",
        "Пограничники усиливают охрану границы с Украиной.",
        "Памежнікі ўзмацняюць ахову мяжы.",
        "Прикордонники посилюють охорону кордону.",
        "Вьетнамцы пытались перейти границу в лесу.",
        "Трое мужчин планавалі перайсці мяжу ўначы.",
        "Двоє чоловіків намагалися перейти кордон уночі.",
        "Въезд в пограничную зону теперь разрешен только по пропуску.",
        "Уезд у пагранічную паласу абмежаваны.",
        "В'їзд до прикордонної смуги дозволено лише за перепусткою.",
        "Литовцы снова перехватили воздушные шары с контрабандой сигарет.",
        "Пограничники задержали нарушителя у контрольно-следовой полосы.",
    ],
)

# Queues, visa-free entry, drivers' waiting times and contraband found in a lorry at a
# crossing are travel and customs, not the border itself.
test_crossings_in_travel_stories = misses(
    "border",
    [
        "На пункте пропуска на границе с Польшей выросла очередь из фур.",
        "Иностранные граждане могут въехать через пункт пропуска на границе без визы.",
        "Водители легковых машин пересекают границу через пункт пропуска за два часа.",
        "Пограничники на пункте пропуска нашли контрабанду сигарет в грузовике.",
        "Давайте перейдём к теме границы между жизнью и смертью.",
    ],
)

test_each = finds_each(
    [
        ("Праверка сіл хуткага рэагавання працягнецца тыдзень.", "drills"),
        ("Ешелон з особовим складом і бронетехнікою прибув до Бреста.", "deployments"),
    ]
)

# Armour loaded onto railway flatcars or lorries is hardware on the move: loading is something
# done to it, as unloading is.
test_armour_loaded_is_equipment = finds(
    "equipment",
    [
        "На станции под Борисовом солдаты грузят бронемашины на платформы.",
        "Ля вакзала ў Слуцку грузілі БТРы на платформы эшалона.",
        "На станції поблизу Мозиря вантажать танки на платформи.",
        "Soldiers were seen loading tanks onto flatcars at a station near Orsha.",
    ],
)
