#pragma once
int Right();
